package tests

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxlab/lab"
	"mxlab/netns"
	"mxlab/router"
	"mxlab/routing"
	"mxlab/shell/cmdtree"
)

// ntcDir is where the ntc-templates Juniper templates are, relative to the
// repository: the project's shared reference material (never copied into
// the repository). MXLAB_NTC_TEMPLATES overrides it.
const ntcDir = "../../shared/reference/ntc-templates-juniper"

// TestTextFSM parses mxlab's output with every ntc-templates Juniper
// template of a command mxlab implements, picked by the command as netmiko
// picks it (use_textfsm=True), and checks the records against the
// router's state. As root the router runs in a lab with a host it has
// talked to, so that "show arp" has entries; without root it runs without
// a forwarding plane and the ARP check is skipped.
func TestTextFSM(t *testing.T) {
	dir := os.Getenv("MXLAB_NTC_TEMPLATES")
	if dir == "" {
		dir = ntcDir
	}
	index, err := readNTCIndex(filepath.Join(dir, "templates"))
	if err != nil {
		t.Skipf("no ntc-templates (%v): the project's reference material is not next to the repository", err)
	}
	if err := exec.Command(debianPython, "-c", "import textfsm").Run(); err != nil {
		t.Skip("TextFSM is not installed for /usr/bin/python3 (apt-get install python3-textfsm, or scripts/deps)")
	}
	rt := newTextFSMRouter(t)
	checks := []struct {
		command string
		check   func(*testing.T, *tfsmRouter, ntcTemplate)
	}{
		{"show version", checkVersion},
		{"show chassis hardware", checkHardware},
		{"show interfaces", checkInterfaces},
		{"show route summary", checkRouteSummary},
		{"show system uptime", checkUptime},
		{"show arp no-resolve", checkARP},
		{"show ospf neighbor", checkOSPFNeighbor},
	}
	used := map[string]bool{}
	for _, c := range checks {
		i := slices.IndexFunc(index, func(tpl ntcTemplate) bool { return tpl.re.MatchString(c.command) })
		if i < 0 {
			t.Errorf("no template for %q", c.command)
			continue
		}
		used[index[i].file] = true
		t.Run(strings.ReplaceAll(c.command, " ", "_"), func(t *testing.T) { c.check(t, rt, index[i]) })
	}
	for _, tpl := range index {
		if used[tpl.file] || !implements(strings.Fields(tpl.command)) {
			continue
		}
		if out, ok := rt.try(tpl.command); !ok {
			t.Logf("%s: mxlab has %q but does not run it yet: %s", filepath.Base(tpl.file), tpl.command, strings.TrimSpace(out))
			continue
		}
		t.Errorf("%s: no check for %q, which mxlab implements", filepath.Base(tpl.file), tpl.command)
	}
}

// implements reports whether mxlab has the command: its keywords, then
// flags of the command.
func implements(words []string) bool {
	n := router.Commands().Root()
	for i, w := range words {
		if c := n.Child(w); c != nil {
			n = c
			continue
		}
		for _, rest := range words[i:] {
			if !slices.ContainsFunc(n.Params, func(p cmdtree.Param) bool { return p.Name == rest && p.Value == "" }) {
				return false
			}
		}
		return n.Run != nil
	}
	return n.Run != nil
}

// ntcTemplate is an entry of the templates' index: a template and the
// command it parses, as netmiko selects it.
type ntcTemplate struct {
	file    string         // path of the template
	command string         // the command in full ("show version")
	re      *regexp.Regexp // what the index accepts ("sh(o(w)?)? ver(s(i(o(n)?)?)?)?")
}

// readNTCIndex reads index.juniper: "template, hostname, platform,
// command" lines whose command abbreviates with "sh[[ow]]".
func readNTCIndex(dir string) ([]ntcTemplate, error) {
	f, err := os.Open(filepath.Join(dir, "index.juniper"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ntcTemplate
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		if len(fields) != 4 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		cmd := strings.TrimSpace(fields[3])
		full := strings.NewReplacer("[[", "", "]]", "").Replace(cmd)
		re, err := regexp.Compile("^" + completion(cmd))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cmd, err)
		}
		out = append(out, ntcTemplate{file: filepath.Join(dir, strings.TrimSpace(fields[0])), command: full, re: re})
	}
	return out, sc.Err()
}

// completion turns "sh[[ow]]" into "sh(o(w)?)?", as TextFSM's clitable
// does.
func completion(cmd string) string {
	return regexp.MustCompile(`\[\[([^\]]+)\]\]`).ReplaceAllStringFunc(cmd, func(m string) string {
		word := m[2 : len(m)-2]
		var b strings.Builder
		for _, c := range word {
			b.WriteString("(" + regexp.QuoteMeta(string(c)))
		}
		b.WriteString(strings.Repeat(")?", len(word)))
		return b.String()
	})
}

// tfsmRouter is the router the test reads, and how to run its commands.
type tfsmRouter struct {
	r      *router.Router
	booted time.Time // before the router started
	plane  bool      // it has a forwarding plane (and neighbours)
}

// run runs a command in a CLI session as netmiko sets one up (screen
// width 511) and returns its output.
func (h *tfsmRouter) run(t *testing.T, cmd string) string {
	t.Helper()
	var out bytes.Buffer
	sh, done := h.r.NewShell(router.ShellOptions{Out: &out, User: "lab"})
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sh.RunCommands(ctx, "set cli screen-width 511")
	out.Reset()
	if sh.RunCommands(ctx, cmd) {
		t.Fatalf("%s failed:\n%s", cmd, out.String())
	}
	return out.String()
}

// try runs a command and reports whether it succeeded.
func (h *tfsmRouter) try(cmd string) (string, bool) {
	var out bytes.Buffer
	sh, done := h.r.NewShell(router.ShellOptions{Out: &out, User: "lab"})
	defer done()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	failed := sh.RunCommands(ctx, cmd)
	return out.String(), !failed
}

// parse parses text with a template; it reports the TextFSM error when
// the template rejects the text.
func parse(t *testing.T, tpl, text string) ([]map[string]any, error) {
	t.Helper()
	cmd := exec.Command(debianPython, "textfsm/parse.py", tpl)
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 {
		return nil, errors.New(strings.TrimSpace(stderr.String()))
	}
	if err != nil {
		t.Fatalf("parse.py %s: %v\n%s", tpl, err, stderr.Bytes())
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("parse.py %s: %v", tpl, err)
	}
	return rows, nil
}

// mustParse parses the output of a command and fails on a template error.
func mustParse(t *testing.T, h *tfsmRouter, tpl ntcTemplate, cmd string) ([]map[string]any, string) {
	t.Helper()
	if !tpl.re.MatchString(cmd) {
		t.Fatalf("netmiko would not pick %s for %q", tpl.file, cmd)
	}
	text := h.run(t, cmd)
	rows, err := parse(t, tpl.file, text)
	if err != nil {
		t.Fatalf("%s rejects the output of %q: %v\n%s", filepath.Base(tpl.file), cmd, err, text)
	}
	return rows, text
}

func str(v any) string { s, _ := v.(string); return s }

// textfsmConfig is the router's configuration: a LAN to a host, a
// loopback, static routes (one discard), a routing instance and OSPF to a
// second router.
const textfsmConfig = `set system host-name tfsm-r1
set interfaces ge-1/0/0 description "to h1"
set interfaces ge-1/0/0 unit 0 family inet address 10.9.0.1/24
set interfaces ge-1/0/1 unit 0 family inet address 10.9.1.1/30
set interfaces lo0 unit 0 family inet address 192.0.2.1/32
set routing-options static route 172.16.0.0/16 next-hop 10.9.0.10
set routing-options static route 172.17.0.0/16 discard
set routing-instances red instance-type virtual-router
set routing-instances red interface ge-1/0/1.0
set routing-instances red routing-options static route 0.0.0.0/0 next-hop 10.9.1.2
set interfaces ge-1/0/2 unit 0 family inet address 10.9.2.1/30
set protocols ospf area 0 interface ge-1/0/2.0 interface-type p2p
set protocols ospf area 0 interface lo0.0 passive
`

// textfsmPeer is the OSPF neighbor of the router in the lab.
const textfsmPeer = `set system host-name tfsm-r2
set interfaces ge-1/0/2 unit 0 family inet address 10.9.2.2/30
set interfaces lo0 unit 0 family inet address 192.0.2.2/32
set protocols ospf area 0 interface ge-1/0/2.0 interface-type p2p
set protocols ospf area 0 interface lo0.0 passive
`

// newTextFSMRouter starts the router: in a lab with a host as root, on its
// own otherwise.
func newTextFSMRouter(t *testing.T) *tfsmRouter {
	t.Helper()
	dir := t.TempDir()
	booted := time.Now().Truncate(time.Second)
	if netns.Available() == nil {
		if _, err := exec.LookPath("ip"); err == nil {
			return labRouter(t, dir, booted)
		}
	}
	t.Log("no network namespaces here: the router runs without a forwarding plane, show arp is not checked")
	r, err := router.New(router.Options{Name: "tfsm", StateDir: filepath.Join(dir, "state"), NoPlane: errors.New("test without root")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); r.Stop() })
	if err := r.Start(ctx, textfsmConfig); err != nil {
		t.Fatal(err)
	}
	return &tfsmRouter{r: r, booted: booted}
}

// labRouter runs the router in a lab with a host on ge-1/0/0, and pings
// the host so that the router has an ARP entry.
func labRouter(t *testing.T, dir string, booted time.Time) *tfsmRouter {
	t.Helper()
	for name, cfg := range map[string]string{"r1.conf": textfsmConfig, "r2.conf": textfsmPeer} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	topo := fmt.Sprintf(`name: tfsm%d
topology:
  nodes:
    r1: {kind: mx, config: r1.conf}
    r2: {kind: mx, config: r2.conf}
    h1: {kind: linux, interfaces: {eth1: 10.9.0.10/24}, gateway: 10.9.0.1}
  links:
    - endpoints: ["r1:ge-1/0/0", "h1:eth1"]
    - endpoints: ["r1:ge-1/0/2", "r2:ge-1/0/2"]
`, os.Getpid())
	file := filepath.Join(dir, "topology.yaml")
	if err := os.WriteFile(file, []byte(topo), 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := lab.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Up(context.Background(), top, lab.Options{RunDir: filepath.Join(dir, "run")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	h := &tfsmRouter{r: l.Router("r1"), booted: booted, plane: true}
	if out := h.run(t, "ping 10.9.0.10 count 1 wait 2"); !strings.Contains(out, "1 packets received") {
		t.Fatalf("the router cannot reach its host:\n%s", out)
	}
	return h
}

func checkVersion(t *testing.T, h *tfsmRouter, tpl ntcTemplate) {
	rows, _ := mustParse(t, h, tpl, "show version")
	if len(rows) != 1 {
		t.Fatalf("%d records; want 1: %v", len(rows), rows)
	}
	for k, want := range map[string]string{"hostname": h.r.Hostname(), "model": h.r.Chassis.Model(), "junos_version": router.Junos} {
		if got := str(rows[0][k]); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
}

// checkHardware compares the chassis-level items and the transceivers
// (the rows the template records, with their FPC and PIC) with the
// chassis inventory.
func checkHardware(t *testing.T, h *tfsmRouter, tpl ntcTemplate) {
	rows, _ := mustParse(t, h, tpl, "show chassis hardware")
	got := map[string]string{} // item -> serial number
	prefixes := map[string]string{"chassis": "Chassis", "mid": "Midplane", "fpm": "FPM Board",
		"ps": "PEM", "re": "Routing Engine", "cb": "CB", "fan": "Fan Tray"}
	for _, r := range rows {
		for p, name := range prefixes {
			if s := str(r[p+"_serial_number"]); s != "" && str(r[p+"_part"]) != "" || p == "chassis" && s != "" {
				got[strings.TrimSpace(name+" "+str(r[p+"_number"]))] = s
			}
		}
		if s := str(r["xcvr_serial_number"]); s != "" {
			got[fmt.Sprintf("FPC %s PIC %s Xcvr %s", r["fpc_number"], r["pic_number"], r["xcvr_number"])] = s
		}
	}
	want := map[string]string{}
	var fpc, pic string
	for _, it := range h.r.Chassis.Inventory() {
		switch f := strings.Fields(it.Name); {
		case f[0] == "FPC":
			fpc = f[1]
		case f[0] == "PIC":
			pic = f[1]
		case f[0] == "Xcvr":
			want[fmt.Sprintf("FPC %s PIC %s %s", fpc, pic, it.Name)] = it.Serial
		case it.Depth == 0 && f[0] != "AFEB":
			want[it.Name] = it.Serial
		}
	}
	if len(want) < 10 {
		t.Fatalf("inventory too small to check: %v", want)
	}
	for item, serial := range want {
		if got[item] != serial {
			t.Errorf("%s: serial number %q; want %q", item, got[item], serial)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d items parsed; want %d: %v", len(got), len(want), got)
	}
}

// realLoopback is lo0 as a vMX prints it (CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowInterfaces/cli/equal/golden_output_1_output.txt,
// with the two-blank indent of real output): the template has no rule for
// its "Type:" line without a link-level type.
const realLoopback = `Physical interface: lo0, Enabled, Physical link is Up
  Interface index: 6, SNMP ifIndex: 6
  Type: Loopback, MTU: Unlimited
  Device flags   : Present Running Loopback
  Interface flags: SNMP-Traps
  Link flags     : None
  Last flapped   : Never
    Input packets : 33920578
    Output packets: 33920578
`

// checkInterfaces: the template rejects the whole "show interfaces" of an
// MX (its loopback and internal interfaces) as it rejects a real vMX's;
// it parses each Ethernet port, whose fields must match the chassis and
// the configuration.
func checkInterfaces(t *testing.T, h *tfsmRouter, tpl ntcTemplate) {
	if _, err := parse(t, tpl.file, realLoopback); err == nil {
		t.Errorf("the template now parses a real vMX's lo0: check the whole show interfaces again")
	} else if _, err := parse(t, tpl.file, h.run(t, "show interfaces")); err == nil {
		t.Errorf("the template parses mxlab's show interfaces but not a real vMX's lo0")
	} else {
		t.Logf("%s rejects a real vMX's show interfaces as it rejects mxlab's (%v): checked port by port", filepath.Base(tpl.file), err)
	}
	ports := 0
	for _, st := range h.r.Chassis.Interfaces() {
		// The configured ports (up, with a unit) and two others (down).
		if st.Logical || !st.Present || !strings.HasPrefix(st.Name, "ge-") || !st.Configured && ports >= 4 {
			continue
		}
		ports++
		rows, text := mustParse(t, h, tpl, "show interfaces "+st.Name)
		if len(rows) == 0 {
			t.Fatalf("no record for %s", st.Name)
		}
		r := rows[0]
		admin, link := "Enabled", "Down"
		if !st.AdminUp {
			admin = "Administratively"
		}
		if st.LinkUp {
			link = "Up"
		}
		if str(r["interface"]) != st.Name || str(r["admin_state"]) != admin || str(r["link_status"]) != link ||
			str(r["hardware_type"]) != "Ethernet" || str(r["mtu"]) != "1514" || str(r["description"]) != st.Description {
			t.Errorf("%s parsed as %v; state %+v\n%s", st.Name, r, st, text)
		}
		if st.Name == "ge-1/0/0" {
			unit := rows[len(rows)-1]
			if str(unit["interface"]) != "ge-1/0/0.0" || str(unit["local"]) != "10.9.0.1" || str(unit["destination"]) != "10.9.0/24" {
				t.Errorf("ge-1/0/0.0 parsed as %v\n%s", unit, text)
			}
		}
	}
	if ports < 4 {
		t.Errorf("%d Ethernet ports checked", ports)
	}
}

// checkRouteSummary compares the protocol counts with the routing tables.
func checkRouteSummary(t *testing.T, h *tfsmRouter, tpl ntcTemplate) {
	rows, _ := mustParse(t, h, tpl, "show route summary")
	got := map[string]string{}
	for _, r := range rows {
		if str(r["router_id"]) != "192.0.2.1" {
			t.Errorf("router_id %q; want 192.0.2.1 (lo0)", r["router_id"])
		}
		got[str(r["table_name"])+" "+str(r["route_src"])] = str(r["routes"]) + "/" + str(r["active_routes"])
	}
	want := map[string]string{}
	for _, tb := range h.r.Routing.RIB().Tables {
		n := map[routing.Protocol][2]int{}
		for _, d := range tb.Dests {
			for _, rt := range d.Routes {
				c := n[rt.Protocol]
				c[0]++
				if rt.Active {
					c[1]++
				}
				n[rt.Protocol] = c
			}
		}
		for p, c := range n {
			want[tb.Name+" "+p.String()] = fmt.Sprintf("%d/%d", c[0], c[1])
		}
	}
	if len(want) < 4 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("routes by table and protocol %v; want %v", got, want)
	}
}

// checkUptime compares the times with when the router started and the
// users with its sessions.
func checkUptime(t *testing.T, h *tfsmRouter, tpl ntcTemplate) {
	before := time.Now().Truncate(time.Second)
	rows, text := mustParse(t, h, tpl, "show system uptime")
	after := time.Now()
	if len(rows) != 1 {
		t.Fatalf("%d records: %v", len(rows), rows)
	}
	r := rows[0]
	at := func(prefix string) time.Time {
		v, err := time.Parse("2006-01-02 15:04:05", fmt.Sprintf("%s-%s-%s %s", r[prefix+"year"], r[prefix+"month"], r[prefix+"day"], r[prefix+"time"]))
		if err != nil {
			t.Fatalf("%stime: %v\n%s", prefix, err, text)
		}
		return v
	}
	if now := at(""); now.Before(before.UTC().Add(-time.Second)) || now.After(after.UTC()) {
		t.Errorf("current time %v; want between %v and %v", now, before.UTC(), after.UTC())
	}
	if boot := at("boot_"); boot.Before(h.booted.UTC().Add(-time.Second)) || boot.After(before.UTC()) {
		t.Errorf("boot time %v; the router started at %v", boot, h.booted.UTC())
	}
	if str(r["timezone"]) != "UTC" || str(r["last_config_user"]) == "" {
		t.Errorf("timezone %q, last configured by %q\n%s", r["timezone"], r["last_config_user"], text)
	}
	// The session that runs the command is the one user.
	if str(r["users"]) != "1" {
		t.Errorf("users %q; want 1 (the session that asks)", r["users"])
	}
	for _, k := range []string{"load_average_1min", "load_average_5min", "load_average_15min"} {
		if _, err := strconv.ParseFloat(str(r[k]), 64); err != nil {
			t.Errorf("%s %q", k, r[k])
		}
	}
}

// checkARP compares the entries with the neighbours the kernel resolved.
// checkOSPFNeighbor: one record per neighbor the OSPF instance has (in the
// lab, r2, Full), with its interface, router ID and priority.
func checkOSPFNeighbor(t *testing.T, h *tfsmRouter, tpl ntcTemplate) {
	in := h.r.OSPF.Instance("")
	if in == nil {
		t.Fatal("no OSPF instance")
	}
	if h.plane {
		deadline := time.Now().Add(20 * time.Second)
		for {
			ns, _ := in.Neighbors(context.Background())
			if len(ns) == 1 && strings.HasSuffix(ns[0], " Full") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no Full neighbor: %v", ns)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	rows, text := mustParse(t, h, tpl, "show ospf neighbor")
	ns, err := in.Neighbors(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		if _, err := strconv.Atoi(str(r["priority"])); err != nil {
			t.Errorf("priority %q", r["priority"])
		}
		if _, err := strconv.Atoi(str(r["dead_time"])); err != nil {
			t.Errorf("dead_time %q", r["dead_time"])
		}
		got = append(got, str(r["ip_address"])+" "+str(r["state"]))
		if h.plane && (str(r["interface"]) != "ge-1/0/2.0" || str(r["neighbor_id"]) != "192.0.2.2") {
			t.Errorf("record %v: want r2 (192.0.2.2) on ge-1/0/2.0", r)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(ns) || h.plane && len(got) != 1 {
		t.Errorf("neighbors %v; OSPF has %v\n%s", got, ns, text)
	}
}

func checkARP(t *testing.T, h *tfsmRouter, tpl ntcTemplate) {
	if !h.plane {
		t.Skip("show arp needs a forwarding plane (root)")
	}
	rows, text := mustParse(t, h, tpl, "show arp no-resolve")
	ns, err := h.r.Netns.Neighbors()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, n := range ns {
		want[n.Addr.String()] = n.MAC.String() + " " + n.Interface
	}
	got := map[string]string{}
	for _, r := range rows {
		if _, err := netip.ParseAddr(str(r["ip_address"])); err != nil {
			t.Errorf("ip_address %q", r["ip_address"])
		}
		got[str(r["ip_address"])] = str(r["mac_address"]) + " " + str(r["interface"])
	}
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ARP entries %v; the kernel has %v\n%s", got, want, text)
	}
	if got["10.9.0.10"] == "" {
		t.Errorf("no entry for the host 10.9.0.10\n%s", text)
	}
}
