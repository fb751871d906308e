// Package city plays DizhTime's users against the router's GraphQL endpoint, the only door
// real apps have: customers register, top up, search and order; restaurant staff accept
// and cook; drivers go online, drive, accept offers and deliver. `dizhtime sim` runs a
// city of them at a chosen rate, `dizhtime dev` uses it for its demo logins, and
// journey_test.go plays one whole order through the real services.
package city
