// Package secret encodes and decodes Junos "$9$" secrets.
//
// Junos stores reversible secrets (IKE pre-shared keys, manual SA keys,
// some authentication keys) in a keyless, obfuscating "$9$" form. The form
// is the same on every router, so a value copied from a real router's
// configuration decodes to the secret it was created from, and a value
// produced here can be pasted into a real router.
//
// The form is obfuscation, not protection: anyone can decode it.
//
// A "$9$" string is the prefix "$9$", a salt character, 0 to 3 filler
// characters (how many depends on the salt), then, for every byte of the
// secret, 2 to 4 characters of a 65-character alphabet whose distances
// from the previous character encode the byte.
package secret
