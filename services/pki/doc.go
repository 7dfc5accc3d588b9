// Package pki is the public-key infrastructure of a router: a certificate
// store holding key pairs, certificate requests, local certificates, the
// CA certificates and CRLs of each CA profile, the Junos commands that
// manage it, and the certificate checks and signatures IKE authentication
// with certificates needs. Everything is Go's crypto/x509.
//
// # Store
//
// A Store lives in a directory of the router's state directory that the
// CLI file commands cannot reach (the router hides it), mode 0700, one PEM
// file per object (0600), each written atomically: key-pair/<id>.key
// (PKCS #8), certificate-request/<id>.csr, local/<id>.crt (the certificate
// then its chain), ca/<profile>.crt and crl/<profile>.crl. Private keys
// never leave it: no command prints or copies them.
//
// Changes are serialised; each publishes an immutable snapshot, so that
// IKE and the show commands read without locking. The store is also a
// configuration owner (Prepare): at commit it takes the CA profiles
// (revocation-check), the traceoptions (events go to /var/log/pkid, or the
// file named, per flag: enrollment, certificate-verification,
// online-crl-check, all) and the service sets that use certificates.
// Validate is a commit check (a config.Validator) that needs no store.
//
// # Commands
//
//	request security pki generate-key-pair certificate-id ID [size N] [type rsa|ecdsa]
//	request security pki generate-certificate-request certificate-id ID subject DN
//	        [domain-name N] [ip-address A] [ipv6-address A] [email E] [digest sha-1|sha-256] [filename F]
//	request security pki local-certificate load certificate-id ID filename F [key K]
//	request security pki local-certificate generate-self-signed certificate-id ID subject DN [...]
//	request security pki local-certificate verify certificate-id ID
//	request security pki ca-certificate load ca-profile P filename F
//	request security pki ca-certificate verify ca-profile P
//	request security pki crl load ca-profile P filename F
//	clear security pki local-certificate|certificate-request|key-pair (all | certificate-id ID)
//	clear security pki ca-certificate|crl (all | ca-profile P)
//	show security pki ca-certificate|crl [brief|detail] [ca-profile P]
//	show security pki local-certificate|certificate-request [brief|detail] [certificate-id ID]
//	show services ipsec-vpn certificates [brief|detail] [service-set S]
//
// File names are router paths (relative ones start in the user's home
// directory), read and written through the CLI session.
//
// # Checking a peer's certificate
//
// Store.Verify takes what a peer sent in its CERT payloads, the service
// set's trusted-ca profiles, the peer's ID payload and the IKE policy's
// remote-id (ParseRemoteID). It accepts the certificate when it chains,
// through the other certificates the peer sent, to a CA certificate loaded
// for one of the profiles (all profiles when none is given), every
// certificate is within its dates and correctly signed (SHA-1 signatures
// included, as on Junos), the end certificate's key usage allows
// signatures, no certificate is revoked, and the ID is the certificate's
// subject (ID_DER_ASN1_DN) or one of its subject alternative names
// (ipv4/ipv6 address, FQDN, e-mail) and matches the remote-id.
//
// Revocation follows the profile's revocation-check: "disable" skips it;
// by default the CRL loaded for the profile ("request security pki crl
// load") is used. CRLs are never downloaded: with none loaded, a
// certificate that names a distribution point (or a profile with a CRL
// URL) is refused unless "crl disable on-download-failure" is set; a
// certificate naming none is not checked. OCSP is never reachable, so
// "use-ocsp" refuses unless its connection-failure setting says otherwise.
//
// A refusal is a *VerifyError whose Reason names the cause (unknown CA,
// certificate expired, peer ID not in certificate, ...): IKE writes the
// error to its log and counts it by reason. errors.Is works with the
// sentinels ErrUnknownCA, ErrExpired, ErrIDMismatch...
//
// # Authenticating the router
//
// Store.Credential(id) returns the local certificate named by the IKE
// policy's local-certificate with its key pair:
//
//   - Credential.Certificates(endOnly) are the CERT payloads (encoding 4),
//     the certificate then its chain unless no-certificate-chain-in-ike.
//   - DNIdentity(cred.Cert) is the ID for local-id distinguished-name;
//     AddrIdentity for ipv4_addr.
//   - Credential.Sign(method, hash, signedOctets) is the IKEv2 AUTH data:
//     AuthRSA (1, PKCS #1 v1.5 with SHA-1), AuthECDSA256/384 (9/10, RFC
//     4754 r||s) or AuthDigitalSignature (14, RFC 7427, with the hash
//     negotiated by SIGNATURE_HASH_ALGORITHMS: HashFromIKE, IKEHashes).
//     VerifyAuth checks a peer's AUTH with the key of its verified
//     certificate.
//   - Credential.SignIKEv1(hash) and VerifyIKEv1 are the IKEv1 SIG payload
//     (RFC 2409 §5.1: PKCS #1 padding without DigestInfo over HASH_I or
//     HASH_R; ECDSA per RFC 4754).
//   - Store.CAKeyHashes(profiles) is the IKEv2 CERTREQ data (SHA-1 of each
//     trusted CA's SubjectPublicKeyInfo); Store.CANames(profiles) are the
//     IKEv1 CERTREQ payloads; Store.MatchesCertReq tells whether a
//     credential answers a peer's CERTREQ.
//
// IKEv2 (package services/ike/ikev2, cert.go) uses this API through its
// Certificates interface, which *Store implements.
package pki
