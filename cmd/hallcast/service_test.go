package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// splitWindows splits a command line as CommandLineToArgvW does for the
// arguments after the program: 2n backslashes and a quote give n
// backslashes and toggle quoting, 2n+1 give n and a literal quote.
func splitWindows(s string) []string {
	var args []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuote = !inQuote
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			have = true
		case c == '"':
			inQuote, have = !inQuote, true
		case (c == ' ' || c == '\t') && !inQuote:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}

func TestWindowsCommandLine(t *testing.T) {
	exe := `C:\Program Files\hallcast\hallcast.exe`
	args := []string{"serve", "--data", `D:\大厅 数据\公开屏`, "--addr", ":8443",
		"--tls-cert", `D:\大厅 数据\公开屏\tls\server.crt`, "--public-url", "", `--x=a "quoted" word`, `C:\trailing slash\`}
	got := windowsCommandLine(exe, args)
	want := `"C:\Program Files\hallcast\hallcast.exe" serve --data "D:\大厅 数据\公开屏" --addr :8443 ` +
		`--tls-cert "D:\大厅 数据\公开屏\tls\server.crt" --public-url "" "--x=a \"quoted\" word" "C:\trailing slash\\"`
	if got != want {
		t.Fatalf("command line\n got %s\nwant %s", got, want)
	}
	// The program name is quoted whole; the arguments split back as given.
	rest, ok := strings.CutPrefix(got, `"`+exe+`" `)
	if !ok {
		t.Fatalf("%s: binary not quoted first", got)
	}
	back := splitWindows(rest)
	if strings.Join(back, "\x00") != strings.Join(args, "\x00") {
		t.Fatalf("split back\n got %q\nwant %q", back, args)
	}
}

func TestNewServiceConfig(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "大厅 数据")
	c, err := newServiceConfig("hallcast", "/opt/hall cast/hallcast", data, ":8443", "tls/server.crt", "tls/server.key", []string{"--demo=false"})
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	want := []string{"serve", "--data", data, "--addr", ":8443", "--tls-cert", filepath.Join(wd, "tls/server.crt"), "--tls-key", filepath.Join(wd, "tls/server.key"), "--demo=false"}
	if strings.Join(c.Args, "|") != strings.Join(want, "|") {
		t.Fatalf("args %q, want %q", c.Args, want)
	}
	for _, tc := range []struct {
		name, exe, data, cert, key string
	}{
		{"bad name", "/bin/x", data, "", ""},
		{"hallcast", "/bin/x", data, "only-cert.crt", ""},
		{"hallcast", "/bin/x", "/srv/a\nb", "", ""},
		{"hallcast", `/bin/"x"`, data, "", ""},
	} {
		if _, err := newServiceConfig(tc.name, tc.exe, tc.data, "", tc.cert, tc.key, nil); err == nil {
			t.Errorf("%+v: want an error", tc)
		}
	}
}

func TestRenderUnit(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		// deploy/hallcast.service is the unit as installed with the defaults.
		c, err := newServiceConfig("hallcast", "/usr/local/bin/hallcast", "/var/lib/hallcast", "", "", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		c.User = "hallcast"
		got, err := renderUnit(c)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile("../../deploy/hallcast.service")
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Fatalf("deploy/hallcast.service differs from the rendered default unit:\n%s", got)
		}
		for _, line := range []string{"User=hallcast", "ProtectSystem=strict", `ReadWritePaths="/var/lib/hallcast"`, "NoNewPrivileges=true",
			"PrivateTmp=true", "ProtectHome=true", "Restart=on-failure", "LimitNOFILE=65536", `ExecStart="/usr/local/bin/hallcast" "serve" "--data" "/var/lib/hallcast"`} {
			if !strings.Contains(got, "\n"+line+"\n") {
				t.Errorf("unit lacks %q", line)
			}
		}
	})
	t.Run("Escaped", func(t *testing.T) {
		c := serviceConfig{Name: "hallcast", Exe: "/opt/hall cast/hallcast", Data: `/srv/大厅 数据/100% "公开"\x`, User: "hallcast",
			Args: []string{"serve", "--data", `/srv/大厅 数据/100% "公开"\x`, "--public-url", "https://hall.local/$HOME"}}
		got, err := renderUnit(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{
			`ExecStart="/opt/hall cast/hallcast" "serve" "--data" "/srv/大厅 数据/100%% \"公开\"\\x" "--public-url" "https://hall.local/$$HOME"`,
			`ReadWritePaths="/srv/大厅 数据/100%% \"公开\"\\x"`,
			`WorkingDirectory=/srv/大厅 数据/100%% "公开"\x`,
		} {
			if !strings.Contains(got, "\n"+line+"\n") {
				t.Errorf("unit lacks\n%s\n---\n%s", line, got)
			}
		}
	})
}

func TestServiceInstallUnit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("writes a systemd unit")
	}
	dir := t.TempDir()
	unit := filepath.Join(dir, "hallcast.service")
	data := filepath.Join(dir, "大厅 数据")
	install := func(extra ...string) (string, error) {
		var out, errOut syncBuffer
		args := append([]string{"service", "install", "--unit", unit, "--bin", "/usr/local/bin/hallcast", "--data", data}, extra...)
		err := run(context.Background(), args, envOf(nil), nil, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := install("--dry-run")
	if err != nil || !strings.Contains(out, `ReadWritePaths="`+data+`"`) {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if exists(unit) {
		t.Fatal("--dry-run wrote the unit")
	}
	if out, err = install(); err != nil || !strings.Contains(out, "systemctl enable --now hallcast") {
		t.Fatalf("install: %v\n%s", err, out)
	}
	first, _ := os.ReadFile(unit)
	if out, err = install("--addr", ":9000"); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second install without --force: %v\n%s", err, out)
	}
	if again, _ := os.ReadFile(unit); string(again) != string(first) {
		t.Fatal("a refused install changed the unit")
	}
	if _, err = install("--force", "--addr", ":9000"); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(unit); !strings.Contains(string(again), `"--addr" ":9000"`) {
		t.Fatalf("--force did not replace the unit:\n%s", again)
	}
}
