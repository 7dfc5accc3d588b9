package router

import (
	"strings"

	"mxlab/config"
)

// supported is what the router acts on today, statement by statement (see
// config.Support): everything else in the schema is stored and shown, and
// a commit warns that it does nothing. A feature that lands adds its
// statements here, and its warning goes away.
var supported = `
version
system
  host-name
  root-authentication *
  login
    message
    retry-options
      tries-before-disconnect
      backoff-threshold
      backoff-factor
    user
      uid
      class
      authentication *
  services
    ssh
      root-login
      connection-limit
      rate-limit
      max-sessions-per-connection
    netconf
      ssh
      rfc-compliant
      version-1.1
chassis
  fpc
    pic
      adaptive-services
        service-package *
interfaces
  interface
    description
    disable
    vlan-tagging
    mtu
    unit
      description
      disable
      vlan-id
      service-domain
      dial-options *
      family
        inet
          address
          service
            input
              service-set
            output
              service-set
` + routingOptions + ospfProtocols + `policy-options
  prefix-list *
  policy-statement
    term
` + indent(policyMatch, 3) + indent(policyMatch, 2) + `routing-instances
  instance
    description
    instance-type
    interface
` + indent(ospfProtocols, 2) + indent(routingOptions, 2) + `services
  service-set
    next-hop-service *
    interface-service *
    ipsec-vpn-options
      local-gateway
        address
        gw-interface
        routing-instance
      passive-mode-tunneling
      clear-dont-fragment-bit
      copy-dont-fragment-bit
      set-dont-fragment-bit
      tunnel-mtu
      no-anti-replay
      anti-replay-window-size
      udp-encapsulate *
      trusted-ca
      no-certificate-chain-in-ike
      no-nat-traversal
      nat-keepalive
      ike-access-profile
    ipsec-vpn-rules
  ipsec-vpn
    rule
      match-direction
      term
        from
          source-address
          destination-address
          ipsec-inside-interface
        then
          remote-gateway
          backup-remote-gateway
          manual *
          dynamic
            ike-policy
            ipsec-policy
          initiate-dead-peer-detection
          dead-peer-detection *
          anti-replay-window-size
          no-anti-replay
          tunnel-mtu
          clear-dont-fragment-bit
          copy-dont-fragment-bit
          set-dont-fragment-bit
    ike
      proposal
        description
        authentication-method
        dh-group
        authentication-algorithm
        encryption-algorithm
        lifetime-seconds
      policy
        description
        mode
        version
        proposals
        local-id *
        remote-id *
        pre-shared-key *
        local-certificate
    ipsec
      proposal
        description
        protocol
        authentication-algorithm
        encryption-algorithm
        lifetime-seconds
      policy
        description
        perfect-forward-secrecy *
        proposals
    traceoptions *
    no-ipsec-tunnel-in-traceroute
    establish-tunnels
    clear-ike-sas-on-pic-restart
    clear-ipsec-sas-on-pic-restart
    disable-natt
access
  profile
    client
      ike
        allowed-proxy-pair *
        ike-policy
        ipsec-policy
        interface-id
        pre-shared-key *
security
  pki
    ca-profile
      ca-identity
      revocation-check
        use-crl
        use-ocsp
        disable
        ocsp
          connection-failure *
        crl
          disable *
          url
    trusted-ca-group *
    traceoptions
      file
        filename
      flag
`

// routingOptions and ospfProtocols are what the router runs at the top
// level and in each routing instance alike.
const routingOptions = `routing-options
  router-id
  static
    route
      next-hop
      qualified-next-hop
        preference *
      discard
      reject
      preference *
`

const ospfProtocols = `protocols
  ospf
    disable
    area
      stub *
      nssa *
      area-range *
      interface
        disable
        interface-type
        passive
        metric
        priority
        hello-interval
        dead-interval
        retransmit-interval
        authentication
          simple-password
          md5 *
          multi-active-md5 *
        authentication-key *
    export
    import
    reference-bandwidth
    overload *
    preference
    external-preference
    spf-options
      delay
      holddown
      rapid-runs
    lsa-refresh-interval
    traceoptions *
`

// policyMatch is what a policy statement and each of its terms match and
// do.
const policyMatch = `from
  protocol
  route-filter *
  prefix-list *
  prefix-list-filter *
  interface
  neighbor
  next-hop
  area
  tag
  metric
  route-type
  external *
  family
  policy
then
  metric *
  tag *
  preference *
  external *
  accept
  reject
  next
  default-action
`

// indent shifts every line of a statement tree by n levels.
func indent(tree string, n int) string {
	lines := strings.SplitAfter(tree, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = strings.Repeat("  ", n) + l
		}
	}
	return strings.Join(lines, "")
}

// features names the hierarchies that are whole features in the warnings.
var features = map[string]string{
	"protocols ospf":                       "OSPF",
	"protocols bgp":                        "BGP",
	"routing-instances instance protocols": "routing protocols in routing instances",
	"policy-options":                       "routing policies",
	"firewall":                             "firewall filters",
	"interfaces interface unit family inet filter": "firewall filters",
	"security":                               "PKI",
	"security pki ca-profile enrollment":     "online certificate enrollment (SCEP)",
	"security pki auto-re-enrollment":        "online certificate enrollment (SCEP)",
	"interfaces interface unit family inet6": "IPv6",
	"routing-instances instance vrf-import":  "routing policies",
	"routing-instances instance vrf-export":  "routing policies",
}

var support = config.NewSupport(supported, features)
