package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mxlab/lab"
	"mxlab/services/pki/labca"
)

const pkiUsage = `usage: mxlab lab pki COMMAND [--lab NAME | --ca DIR] ...
  init [--name CN] [--type rsa|ecdsa] [--days N]   make the CA (done by the other commands when missing)
  sign [--days N] REQUEST [CERT]                  sign a certificate request; CERT defaults to REQUEST's
                                                  name with .crt, and ca.crt is written next to it
  issue [--san NAME]... [--days N] CN DIR         a certificate and key for a peer that is not a router
  revoke CERT                                     add a certificate to the revoked list
  crl [--days N] DEST                             write a CRL of the revoked certificates
  ca DEST                                         write the CA certificate
Files are host paths or router files of the running lab: NODE:PATH (a relative PATH is in /var/tmp).
The CA is DIR, else the running lab's (it goes with the lab), else %s.
`

// runLabPKI runs "mxlab lab pki ...".
func runLabPKI(args []string, now func() time.Time) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Printf(pkiUsage, defaultCADir())
		return nil
	}
	fs := flag.NewFlagSet("mxlab lab pki "+args[0], flag.ContinueOnError)
	labName := fs.String("lab", "", "the lab (default: the only one running)")
	caFlag := fs.String("ca", "", "the CA directory")
	days := fs.Int("days", 0, "validity in days")
	name := fs.String("name", "", "init: the CA's common name")
	keyType := fs.String("type", "rsa", "init, issue: key type (rsa or ecdsa)")
	var sans stringList
	fs.Var(&sans, "san", "issue: subject alternative name (DNS name, IP address or e-mail), repeatable")
	pos, _, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	files, dir, err := caLocation(*caFlag, *labName)
	if err != nil {
		return err
	}
	opts := labca.Options{Days: *days, Now: now, Name: *name, KeyType: *keyType}
	want := map[string]int{"init": 0, "sign": -1, "issue": 2, "revoke": 1, "crl": 1, "ca": 1}
	n, ok := want[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, pkiUsage, defaultCADir())
		return fmt.Errorf("unknown command %q", args[0])
	}
	if (n >= 0 && len(pos) != n) || (n < 0 && (len(pos) < 1 || len(pos) > 2)) {
		fmt.Fprintf(os.Stderr, pkiUsage, defaultCADir())
		return fmt.Errorf("%s: wrong number of arguments", args[0])
	}
	if args[0] == "init" {
		ca, err := labca.Create(dir, opts)
		if err != nil {
			return err
		}
		fmt.Printf("CA %s created in %s\n", ca.Cert.Subject, dir)
		return nil
	}
	ca, err := labca.OpenOrCreate(dir, labca.Options{Now: now, KeyType: *keyType})
	if err != nil {
		return err
	}
	ca.SetClock(now)
	opts.Name = ""
	var msg string
	switch args[0] {
	case "sign":
		out := ""
		if len(pos) == 2 {
			out = pos[1]
		}
		msg, err = lab.Sign(files, ca, pos[0], out, opts)
	case "issue":
		msg, err = lab.Issue(ca, pos[0], sans, pos[1], opts)
	case "revoke":
		msg, err = lab.Revoke(files, ca, pos[0])
	case "crl":
		msg, err = lab.CRL(files, ca, pos[0], *days)
	case "ca":
		err = files.Write(pos[0], labca.PEM(ca.Cert), 0o644)
		msg = "CA certificate written to " + pos[0]
	}
	if err != nil {
		return err
	}
	fmt.Println(msg)
	return nil
}

// caLocation finds the lab the files may belong to and the CA directory.
func caLocation(caFlag, labName string) (lab.Files, string, error) {
	dir, err := lab.Find(lab.RunDir(), labName)
	if err != nil {
		if labName != "" {
			return lab.Files{}, "", err
		}
		dir = ""
	}
	files := lab.Files{Dir: dir}
	switch {
	case caFlag != "":
		return files, caFlag, nil
	case dir != "":
		return files, lab.CADir(dir), nil
	}
	return files, defaultCADir(), nil
}

// defaultCADir is the CA used without a lab: $XDG_STATE_HOME/mxlab/ca.
func defaultCADir() string {
	d, err := defaultStateDir("ca")
	if err != nil {
		return "ca"
	}
	return d
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// labCp runs "mxlab lab cp SRC DST": one side a router file of the lab
// (NODE:PATH), the other a host file ("-" for standard input or output).
func labCp(args []string) error {
	fs := flag.NewFlagSet("mxlab lab cp", flag.ContinueOnError)
	name := fs.String("lab", "", "the lab (default: the only one running)")
	pos, _, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("usage: mxlab lab cp [--lab NAME] SRC DST (NODE:PATH on one side)")
	}
	dir, err := lab.Find(lab.RunDir(), *name)
	if err != nil {
		return err
	}
	src, srcRouter := lab.ParseLocation(pos[0])
	dst, dstRouter := lab.ParseLocation(pos[1])
	switch {
	case srcRouter == dstRouter:
		return errors.New("mxlab lab cp: one of SRC and DST must be NODE:PATH, the other a host file")
	case dstRouter:
		in := io.Reader(os.Stdin)
		if pos[0] != "-" {
			f, err := os.Open(pos[0])
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		if strings.HasSuffix(dst.Path, "/") || strings.HasSuffix(pos[1], ":") {
			dst.Path = filepath.ToSlash(filepath.Join(dst.Path, filepath.Base(pos[0])))
		}
		return lab.Put(dir, dst.Node, dst.Path, in)
	}
	out := io.Writer(os.Stdout)
	if pos[1] != "-" {
		target := pos[1]
		if st, err := os.Stat(target); err == nil && st.IsDir() {
			target = filepath.Join(target, filepath.Base(src.Path))
		}
		f, err := os.Create(target)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	return lab.Get(dir, src.Node, src.Path, out)
}
