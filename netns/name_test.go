package netns

import (
	"errors"
	"testing"
)

func TestNameMapping(t *testing.T) {
	tests := []struct {
		junos, linux string
	}{
		{"ge-1/0/0", "ge-1_0_0"},
		{"xe-11/3/47", "xe-11_3_47"},
		{"ge-1/0/0.100", "ge-1_0_0.100"},
		{"et-0/0/4:2", "et-0_0_4+2"},
		{"ms-1/2/0", "ms-1_2_0"},
		{"ge-11/3/10.4094", "ge-11_3_10.4094"},
		{"eth1", "eth1"},
	}
	for _, tt := range tests {
		got, err := LinuxName(tt.junos)
		if err != nil || got != tt.linux {
			t.Errorf("LinuxName(%q) = %q, %v; want %q", tt.junos, got, err, tt.linux)
		}
		back, err := JunosName(got)
		if err != nil || back != tt.junos {
			t.Errorf("JunosName(%q) = %q, %v; want %q", got, back, err, tt.junos)
		}
	}
}

func TestNameLoopback(t *testing.T) {
	for _, n := range []string{"lo0", "lo0.0"} {
		if got, err := LinuxName(n); got != "lo" || err != nil {
			t.Errorf("LinuxName(%q) = %q, %v; want lo", n, got, err)
		}
	}
	if got, err := JunosName("lo"); got != "lo0" || err != nil {
		t.Errorf("JunosName(lo) = %q, %v; want lo0", got, err)
	}
}

func TestNameErrors(t *testing.T) {
	tests := []struct {
		name string
		want error
	}{
		{"xe-11/3/47.32767", ErrNameTooLong},
		{"ge_1/0/0", ErrBadName},
		{"ge-1/0/0 ", ErrBadName},
		{"", ErrBadName},
		{"Ge-1/0/0", ErrBadName},
		{"/ge", ErrBadName},
	}
	for _, tt := range tests {
		if _, err := LinuxName(tt.name); !errors.Is(err, tt.want) {
			t.Errorf("LinuxName(%q) error = %v; want %v", tt.name, err, tt.want)
		}
	}
	if _, err := JunosName("ge-1/0/0"); !errors.Is(err, ErrBadName) {
		t.Errorf("JunosName(ge-1/0/0) error = %v; want ErrBadName", err)
	}
	if _, err := JunosName("ge-1_0_0~"); !errors.Is(err, ErrBadName) {
		t.Errorf("JunosName of a parked peer error = %v; want ErrBadName", err)
	}
}

func TestSplitUnit(t *testing.T) {
	tests := []struct {
		in   string
		phys string
		unit int
	}{
		{"ge-1/0/0.100", "ge-1/0/0", 100},
		{"ge-1/0/0", "ge-1/0/0", -1},
		{"ge-1/0/0.", "ge-1/0/0.", -1},
		{"lo0.0", "lo0", 0},
		{"ge-1/0/0.x", "ge-1/0/0.x", -1},
	}
	for _, tt := range tests {
		p, u := SplitUnit(tt.in)
		if p != tt.phys || u != tt.unit {
			t.Errorf("SplitUnit(%q) = %q, %d; want %q, %d", tt.in, p, u, tt.phys, tt.unit)
		}
	}
}

func FuzzNameMapping(f *testing.F) {
	for _, s := range []string{"ge-1/0/0", "et-0/0/4:2.7", "lo0", "ge-1_0_0", "a+b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		linux, err := LinuxName(s)
		if err != nil {
			return
		}
		if len(linux) > 15 {
			t.Fatalf("LinuxName(%q) = %q: longer than 15", s, linux)
		}
		back, err := JunosName(linux)
		if err != nil {
			t.Fatalf("JunosName(LinuxName(%q) = %q): %v", s, linux, err)
		}
		if back != s && !(linux == "lo" && (s == "lo0" || s == "lo0.0")) {
			t.Fatalf("round trip %q -> %q -> %q", s, linux, back)
		}
		_, _ = SplitUnit(s) // must not panic
	})
}
