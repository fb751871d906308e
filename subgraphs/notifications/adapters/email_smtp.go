package adapters

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"

	mail "github.com/wneessen/go-mail"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
)

// SMTPEmail sends email over SMTP as MIME multipart/alternative (plain text + HTML) with
// github.com/wneessen/go-mail. SMTP takes no idempotency key: the message's Message-ID is
// derived from it, so a resend after a crash carries the same id and mail clients that
// thread or dedupe by Message-ID show one message.
type SMTPEmail struct {
	name, from, host string
	port             int
	opts             []mail.Option
}

// SMTPConfig says where the SMTP server is.
type SMTPConfig struct {
	Addr, From, Username, Password string
	// StartTLS requires STARTTLS (off for a local Mailpit).
	StartTLS bool
}

// NewSMTPEmail returns a sender.
func NewSMTPEmail(name string, c SMTPConfig) (*SMTPEmail, error) {
	host, p, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp addr %q: %w", c.Addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return nil, fmt.Errorf("smtp port %q: %w", p, err)
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTLSPolicy(mail.NoTLS)}
	if c.StartTLS {
		opts = []mail.Option{mail.WithPort(port), mail.WithTLSPolicy(mail.TLSMandatory)}
	}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	return &SMTPEmail{name: name, from: c.From, host: host, port: port, opts: opts}, nil
}

// Name implements app.Sender.
func (s *SMTPEmail) Name() string { return s.name }

// MessageID is the Message-ID (without angle brackets) of the message with key.
func MessageID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16]) + "@notifications.dizhtime"
}

// Send implements app.Sender.
func (s *SMTPEmail) Send(ctx context.Context, m app.Message) (string, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return "", fmt.Errorf("%s: from: %w", s.name, err)
	}
	if err := msg.To(m.To); err != nil {
		return "", fmt.Errorf("%s: to: %w", s.name, err)
	}
	msg.Subject(m.Subject)
	id := MessageID(m.IdempotencyKey)
	msg.SetMessageIDWithValue(id)
	msg.SetGenHeader("X-Idempotency-Key", m.IdempotencyKey)
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	client, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.name, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return "", fmt.Errorf("%s: %w", s.name, err)
	}
	return "<" + id + ">", nil
}
