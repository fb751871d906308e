package adapters

import (
	"crypto/hmac"
	"crypto/sha256"
)

// DefaultAuditKey keys the audit chain on a laptop. Production sets WALLET_AUDIT_KEY to
// a secret kept outside the wallet's database (a secret store, the deployment's env).
const DefaultAuditKey = "dizhtime-laptop-audit-key-not-secret"

// AuditKey is the audit chain's HMAC-SHA256 key as the ledger function takes it: the
// inner and outer pads of RFC 2104 (key XOR 0x36.., key XOR 0x5c.., 64 bytes each), so
// the SQL computes HMAC with its built-in sha256 and the key itself never reaches the
// database.
type AuditKey struct {
	key        []byte
	ipad, opad []byte
}

// NewAuditKey derives the pads of key (hashed first when longer than the block, as
// RFC 2104 says).
func NewAuditKey(key []byte) AuditKey {
	const block = sha256.BlockSize
	k := key
	if len(k) > block {
		sum := sha256.Sum256(k)
		k = sum[:]
	}
	ipad, opad := make([]byte, block), make([]byte, block)
	copy(ipad, k)
	copy(opad, k)
	for i := range block {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	return AuditKey{key: append([]byte(nil), key...), ipad: ipad, opad: opad}
}

// Sum is HMAC-SHA256(key, parts...): what the ledger function stores for a keyed row.
func (k AuditKey) Sum(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, k.key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}
