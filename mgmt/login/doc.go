// Package login holds the accounts of a router, read from [edit system
// login] and [edit system root-authentication]: password checks against
// crypt(3) hashes ($1$ MD5, $5$ SHA-256 and $6$ SHA-512 crypt, with
// github.com/go-crypt/crypt), authorized SSH keys, the retry options that
// pace failed logins, and the permissions of the predefined login classes
// (super-user, operator, read-only, unauthorized).
//
// Factory returns the factory lab login a fresh router gets: user lab and
// root, password lab123.
package login
