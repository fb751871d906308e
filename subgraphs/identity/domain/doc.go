// Package domain holds identity's rules without I/O: users and their roles, the
// credential rules (email, password, name, phone), password hashing with argon2id,
// refresh-token families and relation tuples.
package domain
