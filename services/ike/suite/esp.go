package suite

import "mxlab/services/ipsec/esp"

var espEncryptions = map[Encryption]esp.Encryption{
	DESCBC: esp.DESCBC, TripleDESCBC: esp.TripleDESCBC,
	AES128CBC: esp.AES128CBC, AES192CBC: esp.AES192CBC, AES256CBC: esp.AES256CBC,
	AES128GCM: esp.AES128GCM, AES192GCM: esp.AES192GCM, AES256GCM: esp.AES256GCM,
}

// ESP returns the data-path algorithm of package esp; its key (with the
// salt for GCM) is KeyLen bytes of the child SA's keying material.
func (e Encryption) ESP() (esp.Encryption, bool) {
	x, ok := espEncryptions[e]
	return x, ok
}

// EncryptionOf returns the algorithm of an ESP encryption algorithm (an
// ipsec proposal's encryption-algorithm).
func EncryptionOf(x esp.Encryption) (Encryption, bool) {
	for e, v := range espEncryptions {
		if v == x {
			return e, true
		}
	}
	return 0, false
}

// ESP returns the data-path algorithm of package esp; ok is false for
// hmac-sha-384-192, which the MS PIC data path does not offer.
func (i Integrity) ESP() (esp.Authentication, bool) {
	switch i {
	case HMACMD5_96:
		return esp.HMACMD5_96, true
	case HMACSHA1_96:
		return esp.HMACSHA1_96, true
	case HMACSHA256_128:
		return esp.HMACSHA256_128, true
	}
	return 0, false
}

// IntegrityOf returns the negotiable algorithm of an ESP authentication
// algorithm (an ipsec proposal's authentication-algorithm):
// hmac-sha2-256 and hmac-sha-256-128 are both HMAC-SHA-256-128 (RFC
// 4868); hmac-sha-256-96, a truncation no standard defines, has no IANA
// number and cannot be negotiated (ok false), nor can "none".
func IntegrityOf(a esp.Authentication) (Integrity, bool) {
	switch a {
	case esp.HMACMD5_96:
		return HMACMD5_96, true
	case esp.HMACSHA1_96:
		return HMACSHA1_96, true
	case esp.HMACSHA256_128, esp.HMACSHA2_256:
		return HMACSHA256_128, true
	}
	return 0, false
}
