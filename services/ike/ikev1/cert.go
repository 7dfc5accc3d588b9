package ikev1

// Main mode with RSA signatures (RFC 2409 §5.1):
//
//	I: HDR, SA, V...
//	R: HDR, SA, V...
//	I: HDR, KE, Ni, CR..., NAT-D, NAT-D
//	R: HDR, KE, Nr, CR..., NAT-D, NAT-D
//	I: HDR*, IDii, CERT..., SIG_I [, N(INITIAL-CONTACT)]
//	R: HDR*, IDir, CERT..., SIG_R
//
// SKEYID = prf(Ni_b | Nr_b, g^xy); SIG_I and SIG_R are HASH_I and HASH_R
// (the formulas of pre-shared keys) signed with the key of the policy's
// local-certificate: PKCS #1 v1.5 padding without a DigestInfo. Each CR
// names a CA the sender trusts (its DER subject, RFC 2408 §3.10); each
// CERT carries an X.509 certificate, the sender's first. The peer's
// certificate is checked by the router's PKI (chain to the tunnel's
// trusted CAs, dates, revocation, the ID in it, remote-id) before its
// signature.

import (
	"errors"
	"fmt"

	"mxlab/services/pki"
)

// Certificates is the router's PKI as IKEv1 uses it (a *pki.Store).
type Certificates interface {
	Credential(id string) (*pki.Credential, error)
	Verify(p pki.Peer) (*pki.Verified, error)
	CANames(profiles []string) [][]byte
}

// CertAuth is what signature authentication needs of an IKE policy and
// its service set.
type CertAuth struct {
	// LocalCertificate is the certificate-id of local-certificate.
	LocalCertificate string
	// LocalIDDN sends the local certificate's subject as the identity
	// (local-id distinguished-name); otherwise the policy's LocalID or
	// the gateway address, which must be in the certificate.
	LocalIDDN bool
	// TrustedCA are the CA profiles the peer's certificate must chain to
	// (none: any); EndCertOnly sends the certificate without its chain.
	TrustedCA   []string
	EndCertOnly bool
	// Remote is the remote-id the peer's identity must match.
	Remote pki.RemoteID
}

// authRSA is the phase-1 Authentication Method "RSA signatures".
const authRSA = 3

// certX509 is the certificate encoding "X.509 Certificate - Signature"
// of CERT and CR payloads.
const certX509 = 4

var errNoPKI = errors.New("no certificate store")

// sig reports whether the SA authenticates with signatures.
func (sa *ikeSA) sig() bool { return sa.chosen.Signatures }

// addCertReq adds a CR for each CA the tunnel trusts, or one naming no
// CA when none is loaded.
func (m *Machine) addCertReq(sa *ikeSA, c *chain) {
	var names [][]byte
	if m.pki != nil {
		names = m.pki.CANames(sa.policy.cfg.IKE.Cert.TrustedCA)
	}
	if len(names) == 0 {
		c.add(PayloadCR, []byte{certX509})
		return
	}
	for _, n := range names {
		c.add(PayloadCR, append([]byte{certX509}, n...))
	}
}

// addSigAuth adds this side's ID, CERT payloads and SIG (SIG_I when
// initiator).
func (m *Machine) addSigAuth(sa *ikeSA, c *chain, initiator bool) error {
	if m.pki == nil {
		return errNoPKI
	}
	ca := sa.policy.cfg.IKE.Cert
	if ca.LocalCertificate == "" {
		return fmt.Errorf("the IKE policy has no local-certificate")
	}
	cred, err := m.pki.Credential(ca.LocalCertificate)
	if err != nil {
		return err
	}
	id := localID(sa.policy)
	if ca.LocalIDDN {
		id = ID{Type: IDDERASN1DN, Data: cred.Cert.RawSubject}
	}
	idb := id.Append(nil)
	hash := authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, idb, initiator)
	s, err := cred.SignIKEv1(hash)
	if err != nil {
		return err
	}
	c.add(PayloadID, idb)
	for _, der := range cred.Certificates(ca.EndCertOnly) {
		c.add(PayloadCert, append([]byte{certX509}, der...))
	}
	c.add(PayloadSig, s)
	return nil
}

// localAuthFailed ends a negotiation this side cannot sign for (no
// local certificate or key yet): the tunnel tries again after its
// backoff, not at once.
func (m *Machine) localAuthFailed(sa *ikeSA, err error) {
	m.logf("warning", "%v: cannot authenticate with a certificate: %v", sa, err)
	m.deleteIKE(sa, false, "no local certificate")
	m.retryPeer(sa.local.Addr(), sa.remote.Addr())
}

// checkSig verifies the peer's ID, certificate and SIG (SIG_I when the
// peer is the initiator).
func (m *Machine) checkSig(sa *ikeSA, d *Message, peerInitiator bool) error {
	idb, err := need(d, PayloadID)
	if err != nil {
		return err
	}
	s, err := need(d, PayloadSig)
	if err != nil {
		return err
	}
	id, err := ParseID(idb)
	if err != nil {
		return err
	}
	if m.pki == nil {
		return fmt.Errorf("%w: %w", errAuth, errNoPKI)
	}
	var certs [][]byte
	for _, p := range d.All(PayloadCert) {
		if len(p.Body) > 1 && p.Body[0] == certX509 {
			certs = append(certs, p.Body[1:])
		}
	}
	ca := sa.policy.cfg.IKE.Cert
	peer := pki.Identity{Type: pki.IDType(id.Type), Data: id.Data}
	v, err := m.pki.Verify(pki.Peer{Certs: certs, Profiles: ca.TrustedCA, ID: &peer, Remote: ca.Remote})
	if err != nil {
		if r := pki.ReasonOf(err); r != "" {
			m.stats.Certificates.Count(r)
		}
		return fmt.Errorf("%w: certificate of %s refused: %w", errAuth, peer, err)
	}
	want := authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, idb, peerInitiator)
	if err := pki.VerifyIKEv1(v.Cert.PublicKey, want, s); err != nil {
		return fmt.Errorf("%w: SIG of %s: %w", errAuth, v.Cert.Subject, err)
	}
	m.logf("info", "%v: peer certificate %s verified (CA profile %s)", sa, v.Cert.Subject, v.Profile)
	sa.peerID = ID{Type: id.Type, Proto: id.Proto, Port: id.Port, Data: append([]byte(nil), id.Data...)}
	return nil
}
