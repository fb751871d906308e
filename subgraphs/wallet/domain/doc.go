// Package domain is the wallet's double-entry ledger as pure rules: money, accounts and
// their negative-balance policy, transactions whose postings sum to zero per currency,
// and the operations (top-up, order payment, refund, settlement, loyalty points) that
// produce such transactions. Nothing here does I/O.
package domain
