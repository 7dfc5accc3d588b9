package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/olekukonko/tablewriter"

	"mxlab/lab"
	"mxlab/mgmt/login"
)

// labInspect prints the nodes of a lab as a table and writes the Ansible
// inventory and the OpenSSH configuration asked for.
func labInspect(args []string) error {
	fs := flag.NewFlagSet("mxlab lab inspect", flag.ContinueOnError)
	inventory := fs.String("inventory", "", "write an Ansible inventory (YAML) to this file")
	sshConfig := fs.String("ssh-config", "", "write an OpenSSH client configuration snippet to this file")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return errors.New("usage: mxlab lab inspect [NAME] [--inventory FILE] [--ssh-config FILE]")
	}
	name := ""
	if len(pos) == 1 {
		name = pos[0]
	}
	dir, err := lab.Find(lab.RunDir(), name)
	if err != nil {
		return err
	}
	nodes, err := lab.Inspect(dir)
	if err != nil {
		return err
	}
	labName := filepath.Base(dir)
	writeTable(os.Stdout, nodes)
	if *inventory != "" {
		if err := os.WriteFile(*inventory, []byte(ansibleInventory(labName, nodes)), 0o644); err != nil {
			return err
		}
	}
	if *sshConfig != "" {
		if err := os.WriteFile(*sshConfig, []byte(sshConfigSnippet(labName, nodes)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeTable(w io.Writer, nodes []lab.NodeInfo) {
	t := tablewriter.NewWriter(w)
	t.SetHeader([]string{"#", "Name", "Kind", "State", "Mgmt IPv4", "SSH", "NETCONF", "Namespace"})
	t.SetAutoFormatHeaders(false)
	t.SetAutoWrapText(false)
	for i, n := range nodes {
		t.Append([]string{fmt.Sprint(i + 1), n.Name, n.Kind, n.State, dash(n.MgmtIPv4), dash(n.SSH), dash(n.NETCONF), n.Namespace})
	}
	t.Render()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// endpoint returns where a client reaches a router's port: its
// management address when it has one, else the loopback forward.
func endpoint(n lab.NodeInfo, forward string, port int) (string, int) {
	if n.MgmtIPv4 != "" {
		return strings.Split(n.MgmtIPv4, "/")[0], port
	}
	host, p, err := net.SplitHostPort(forward)
	if err != nil {
		return "", 0
	}
	var pn int
	fmt.Sscan(p, &pn)
	return host, pn
}

// ansibleInventory is a YAML inventory of the routers for the
// junipernetworks.junos collection. The SSH port also serves the netconf
// subsystem, so the same port works with ansible_connection
// ansible.netcommon.network_cli and ansible.netcommon.netconf.
func ansibleInventory(labName string, nodes []lab.NodeInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Ansible inventory of lab %s, written by mxlab lab inspect.\n", labName)
	b.WriteString("# Choose the connection per play: ansible.netcommon.network_cli (junos_command)\n")
	b.WriteString("# or ansible.netcommon.netconf (junos_facts, junos_config); both use the SSH port.\n")
	b.WriteString("all:\n  children:\n    mx:\n      vars:\n")
	b.WriteString("        ansible_network_os: junipernetworks.junos.junos\n")
	b.WriteString("        ansible_connection: ansible.netcommon.netconf\n")
	b.WriteString("        ansible_python_interpreter: /usr/bin/python3\n")
	if factoryOnly(nodes) {
		fmt.Fprintf(&b, "        ansible_user: %s\n        ansible_password: %s\n", login.FactoryUser, login.FactoryPassword)
	}
	b.WriteString("      hosts:\n")
	for _, n := range nodes {
		if n.Kind != lab.KindRouter {
			continue
		}
		host, port := endpoint(n, n.SSH, 22)
		fmt.Fprintf(&b, "        %s:\n          ansible_host: %s\n          ansible_port: %d\n", n.Name, host, port)
	}
	return b.String()
}

// factoryOnly reports whether every router takes the factory login.
func factoryOnly(nodes []lab.NodeInfo) bool {
	for _, n := range nodes {
		if n.Kind == lab.KindRouter && !n.FactoryLogin {
			return false
		}
	}
	return true
}

// sshConfigSnippet is an OpenSSH client configuration with one Host per
// router ("LAB-NODE"), and one for its NETCONF port ("LAB-NODE-netconf").
func sshConfigSnippet(labName string, nodes []lab.NodeInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# OpenSSH configuration of lab %s, written by mxlab lab inspect.\n", labName)
	b.WriteString("# Use it with: ssh -F FILE NAME (or Include it in ~/.ssh/config).\n")
	for _, n := range nodes {
		if n.Kind != lab.KindRouter {
			continue
		}
		for _, h := range []struct {
			suffix, forward string
			port            int
		}{{"", n.SSH, 22}, {"-netconf", n.NETCONF, 830}} {
			host, port := endpoint(n, h.forward, h.port)
			if host == "" {
				continue
			}
			fmt.Fprintf(&b, "\nHost %s-%s%s\n    HostName %s\n    Port %d\n", labName, n.Name, h.suffix, host, port)
			if n.FactoryLogin {
				fmt.Fprintf(&b, "    User %s\n", login.FactoryUser)
			}
			b.WriteString("    StrictHostKeyChecking no\n    UserKnownHostsFile /dev/null\n    LogLevel ERROR\n")
		}
	}
	return b.String()
}
