package services

import (
	"fmt"

	"mxlab/services/ipsec/esp"
)

// Wireshark's names of the ESP algorithms (its esp_sa table).
var (
	wsEncryption = map[esp.Encryption]string{
		esp.DESCBC: "DES-CBC [RFC2405]", esp.TripleDESCBC: "TripleDES-CBC [RFC2451]",
		esp.AES128CBC: "AES-CBC [RFC3602]", esp.AES192CBC: "AES-CBC [RFC3602]", esp.AES256CBC: "AES-CBC [RFC3602]",
		esp.AES128GCM: "AES-GCM with 16 octet ICV [RFC4106]", esp.AES192GCM: "AES-GCM with 16 octet ICV [RFC4106]",
		esp.AES256GCM: "AES-GCM with 16 octet ICV [RFC4106]",
	}
	wsAuthentication = map[esp.Authentication]string{
		esp.NoAuthentication: "NULL", esp.HMACMD5_96: "HMAC-MD5-96 [RFC2403]", esp.HMACSHA1_96: "HMAC-SHA-1-96 [RFC2404]",
		esp.HMACSHA256_96:  "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]",
		esp.HMACSHA256_128: "HMAC-SHA-256-128 [RFC4868]", esp.HMACSHA2_256: "HMAC-SHA-256-128 [RFC4868]",
	}
)

// WiresharkSAs returns the ESP SAs the PICs have installed, manual and
// negotiated, as lines of Wireshark's esp_sa file (its "ESP SAs" table),
// so that a capture of the WAN decrypts in Wireshark or tshark. The lines
// hold the keys: they are for the host (mxlab lab keys), never for the
// router's own outputs.
func (s *Services) WiresharkSAs() []string {
	var out []string
	for _, c := range s.Status() {
		for _, ss := range c.Sets {
			for _, t := range ss.Tunnels {
				for _, sa := range t.SAs {
					if !sa.Installed {
						continue
					}
					cfg := sa.Config
					src, dst := cfg.Local, cfg.Remote
					if sa.Direction == "inbound" {
						src, dst = dst, src
					}
					out = append(out, fmt.Sprintf(`"IPv4","%s","%s","0x%08x","%s","0x%x","%s","0x%x"`,
						src, dst, sa.SPI, wsEncryption[cfg.Encryption], cfg.EncryptionKey,
						wsAuthentication[cfg.Authentication], cfg.AuthenticationKey))
				}
			}
		}
	}
	return out
}
