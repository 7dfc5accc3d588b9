package ikev2

import (
	"crypto"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"mxlab/services/ipsec"
	"mxlab/services/pki"
)

// Authentication with certificates (RFC 7296 §2.15, §3.6, §3.7; RFC
// 7427). When the chosen IKE proposal's authentication-method is a
// signature method, each side sends its certificate (and chain) in CERT
// payloads, asks for the CAs it trusts in CERTREQ, and signs the octets
// of §2.15 with the key of its local-certificate. The peer's certificate
// is checked by the router's PKI (chain to a trusted-ca profile, dates,
// revocation, ID in the certificate, remote-id) before its AUTH.
//
//	IKE_SA_INIT  ->  SA, KE, Ni, [N(NAT_D...)], N(SIGNATURE_HASH_ALGORITHMS)
//	             <-  SA, KE, Nr, [N(NAT_D...)], CERTREQ, N(SIGNATURE_HASH_ALGORITHMS)
//	IKE_AUTH     ->  IDi, CERT+, [N(INITIAL_CONTACT)], CERTREQ, AUTH, SA, TSi, TSr
//	             <-  IDr, CERT+, AUTH, SA, TSi, TSr

// Certificates is the router's PKI as IKEv2 uses it (a *pki.Store).
type Certificates interface {
	Credential(id string) (*pki.Credential, error)
	Verify(p pki.Peer) (*pki.Verified, error)
	CAKeyHashes(profiles []string) []byte
}

// NotifySignatureHashes is SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4).
const NotifySignatureHashes NotifyType = 16431

// certX509 is the CERT and CERTREQ encoding "X.509 Certificate -
// Signature".
const certX509 = 4

// errNoPKI reports a router without a certificate store.
var errNoPKI = errors.New("no certificate store")

// usesCerts reports whether a proposal authenticates with signatures.
func usesCerts(p *ipsec.IKEProposal) bool {
	return p != nil && p.AuthMethod != "" && p.AuthMethod != "pre-shared-keys"
}

// policyUsesCerts reports whether a policy may authenticate with
// signatures.
func policyUsesCerts(pol *ipsec.IKEPolicy) bool { return slices.ContainsFunc(pol.Proposals, usesCerts) }

// authMethodName is the authentication method as the show commands
// print it.
func authMethodName(p *ipsec.IKEProposal) string {
	switch {
	case p == nil || !usesCerts(p):
		return "Pre-shared-keys"
	case p.AuthMethod == "rsa-signatures":
		return "RSA-signatures"
	case p.AuthMethod == "dsa-signatures":
		return "DSA-signatures"
	}
	return "ECDSA-signatures"
}

// certMode reports whether the SA authenticates with certificates.
func (sa *ikeSA) certMode() bool { return usesCerts(sa.proposal) }

// hashNotify announces the hashes this side signs and verifies with.
func hashNotify() *Notify {
	var b []byte
	for _, h := range pki.IKEHashes {
		b = binary.BigEndian.AppendUint16(b, h)
	}
	return &Notify{Kind: NotifySignatureHashes, Data: b}
}

// notePeerHashes keeps the hashes the peer announced.
func (sa *ikeSA) notePeerHashes(m *Message) {
	n := m.Notify(NotifySignatureHashes)
	if n == nil {
		return
	}
	sa.peerHashes = nil
	for i := 0; i+2 <= len(n.Data); i += 2 {
		sa.peerHashes = append(sa.peerHashes, binary.BigEndian.Uint16(n.Data[i:]))
	}
}

// certReq is the CERTREQ of the tunnel's trusted CAs, nil when no CA
// certificate is loaded for them.
func (sa *ikeSA) certReq() Payload {
	if sa.p.opts.PKI == nil {
		return nil
	}
	h := sa.p.opts.PKI.CAKeyHashes(sa.tunnel.TrustedCA)
	if len(h) == 0 {
		return nil
	}
	return &Raw{Kind: PayloadCERTREQ, Data: append([]byte{certX509}, h...)}
}

// credential returns the local certificate of the policy with its key.
func (sa *ikeSA) credential() (*pki.Credential, error) {
	if sa.p.opts.PKI == nil {
		return nil, errNoPKI
	}
	if sa.policy.LocalCertificate == "" {
		return nil, fmt.Errorf("IKE policy %s has no local-certificate", sa.policy.Name)
	}
	return sa.p.opts.PKI.Credential(sa.policy.LocalCertificate)
}

// localID is this side's ID payload: local-id distinguished-name is the
// subject of the local certificate; otherwise as with pre-shared keys.
func (sa *ikeSA) localID(kind PayloadType, cred *pki.Credential) *ID {
	if cred != nil && sa.policy.LocalID.Type == "distinguished-name" {
		return &ID{Kind: kind, IDType: IDDERASN1DN, Data: cred.Cert.RawSubject}
	}
	return idPayload(kind, sa.policy.LocalID, sa.local.Addr())
}

// certPayloads are the CERT payloads of a credential.
func (sa *ikeSA) certPayloads(cred *pki.Credential) []Payload {
	var out []Payload
	for _, der := range cred.Certificates(sa.tunnel.EndCertOnly) {
		out = append(out, &Raw{Kind: PayloadCERT, Data: append([]byte{certX509}, der...)})
	}
	return out
}

// signedOctets are the octets AUTH signs (RFC 7296 §2.15): the first
// message of the signer, the other side's nonce and prf(SK_p, ID').
func (sa *ikeSA) signedOctets(message, nonce, skp []byte, id *ID) []byte {
	return slices.Concat(message, nonce, sa.alg.PRF.PRF(skp, id.body()))
}

// sign makes this side's AUTH payload: RFC 7427 digital signature with
// the best hash both sides support, else the key's classic method (RSA
// with SHA-1, ECDSA with the curve's hash).
func (sa *ikeSA) sign(cred *pki.Credential, octets []byte) (*Auth, error) {
	for _, n := range pki.IKEHashes {
		h, _ := pki.HashFromIKE(n)
		if n == 1 || !slices.Contains(sa.peerHashes, n) {
			continue
		}
		data, err := cred.Sign(pki.AuthDigitalSignature, h, octets)
		if err == nil {
			return &Auth{Method: uint8(pki.AuthDigitalSignature), Data: data}, nil
		}
	}
	m := cred.Method()
	data, err := cred.Sign(m, crypto.Hash(0), octets)
	if err != nil {
		return nil, err
	}
	return &Auth{Method: uint8(m), Data: data}, nil
}

// verifyPeer checks the peer's certificate and AUTH: the certificate by
// the PKI (chain to the tunnel's trusted CAs, dates, revocation, the
// peer's ID in it, the policy's remote-id), then the signature with its
// key.
func (sa *ikeSA) verifyPeer(m *Message, id *ID, auth *Auth, octets []byte) error {
	if sa.p.opts.PKI == nil {
		return errNoPKI
	}
	var certs [][]byte
	for _, x := range m.Payloads {
		if r, ok := x.(*Raw); ok && r.Kind == PayloadCERT && len(r.Data) > 1 && r.Data[0] == certX509 {
			certs = append(certs, r.Data[1:])
		}
	}
	peerID := pki.Identity{Type: pki.IDType(id.IDType), Data: id.Data}
	v, err := sa.p.opts.PKI.Verify(pki.Peer{Certs: certs, Profiles: sa.tunnel.TrustedCA, ID: &peerID, Remote: sa.policy.Remote})
	if err != nil {
		return err
	}
	switch pki.AuthMethod(auth.Method) {
	case pki.AuthRSA, pki.AuthECDSA256, pki.AuthECDSA384, pki.AuthDigitalSignature:
	default:
		return fmt.Errorf("authentication method %d is not a signature", auth.Method)
	}
	if err := pki.VerifyAuth(pki.AuthMethod(auth.Method), v.Cert.PublicKey, octets, auth.Data); err != nil {
		return fmt.Errorf("AUTH of %s: %w", v.Cert.Subject, err)
	}
	sa.logf("peer certificate %s verified (CA profile %s, AUTH method %d)", v.Cert.Subject, v.Profile, auth.Method)
	return nil
}

// refused counts and logs a peer that failed certificate authentication.
func (sa *ikeSA) refused(id *ID, err error) {
	sa.p.drops.BadAuth++
	if r := pki.ReasonOf(err); r != "" {
		sa.p.drops.Certificates.Count(r)
	}
	sa.logf("peer %s failed certificate authentication: %v", id, err)
}

// remoteIDPayload is the IDr the initiator sends: with certificates only
// an address or FQDN remote-id names one identity.
func (sa *ikeSA) remoteIDPayload() *ID {
	r := sa.policy.RemoteID
	if r.Type == "" || r.Any {
		return nil
	}
	if sa.certMode() && r.Type != "ipv4_addr" && r.Type != "ipv6-addr" && r.Type != "fqdn" {
		return nil
	}
	return idPayload(PayloadIDr, r, sa.remote.Addr())
}
