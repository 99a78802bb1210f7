package main

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// The hall's server is a back-office PC: hallcast installs itself as a
// Windows service (service_windows.go) or writes a systemd unit
// (service_other.go); both run "serve" with the flags given here.

// serviceConfig is what an installed service runs.
type serviceConfig struct {
	Name string   // the service's (or unit's) name
	Exe  string   // the binary, absolute
	Data string   // the data directory, absolute
	Args []string // the arguments after the binary: serve and its flags
	User string   // Linux: the account the unit runs as
}

// serviceOptions are the install command's switches.
type serviceOptions struct {
	dryRun, force bool
	unit          string // Linux: the unit file to write
}

func service(ctx context.Context, sub string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("service "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "hallcast", "the service's name")
	unit := fs.String("unit", "", "Linux: the unit file (default /etc/systemd/system/<name>.service)")
	switch sub {
	case "install":
	case "uninstall", "start", "stop":
		if err := fs.Parse(args); err != nil {
			return err
		}
		if err := checkServiceName(*name); err != nil {
			return err
		}
		return controlService(ctx, sub, *name, unitPath(*unit, *name), stdout, stderr)
	default:
		return fmt.Errorf("service %s: want install, uninstall, start or stop", sub)
	}
	exe := fs.String("bin", "", "the hallcast binary the service runs (default: this one)")
	data := fs.String("data", env(getenv, "HALLCAST_DATA", defaultServiceData()), "data directory, made absolute (HALLCAST_DATA)")
	addr := fs.String("addr", getenv("HALLCAST_ADDR"), "listen address (default :8080) (HALLCAST_ADDR)")
	cert := fs.String("tls-cert", getenv("HALLCAST_TLS_CERT"), "serve https with this certificate (see hallcast tls init) (HALLCAST_TLS_CERT)")
	key := fs.String("tls-key", getenv("HALLCAST_TLS_KEY"), "the key of --tls-cert (HALLCAST_TLS_KEY)")
	user := fs.String("user", "hallcast", "Linux: the system account the unit runs as")
	dryRun := fs.Bool("dry-run", false, "print what would be installed and change nothing")
	force := fs.Bool("force", false, "replace an existing unit file or service configuration")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hallcast service install [flags] [-- more serve flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := newServiceConfig(*name, *exe, *data, *addr, *cert, *key, fs.Args())
	if err != nil {
		return err
	}
	c.User = *user
	return installService(c, serviceOptions{dryRun: *dryRun, force: *force, unit: unitPath(*unit, *name)}, stdout)
}

func unitPath(unit, name string) string {
	if unit != "" {
		return unit
	}
	return "/etc/systemd/system/" + name + ".service"
}

// newServiceConfig makes the paths absolute (a service starts in another
// directory) and lists serve's arguments.
func newServiceConfig(name, exe, data, addr, cert, key string, extra []string) (serviceConfig, error) {
	if err := checkServiceName(name); err != nil {
		return serviceConfig{}, err
	}
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return serviceConfig{}, fmt.Errorf("--bin: %w", err)
		}
	}
	if (cert == "") != (key == "") {
		return serviceConfig{}, fmt.Errorf("--tls-cert and --tls-key: give both or neither")
	}
	abs := func(flag string, p *string) error {
		if *p == "" {
			return nil
		}
		if strings.ContainsAny(*p, "\x00\r\n\"") {
			return fmt.Errorf("%s: %q: a path with a quote or a line break cannot go in a service's command line", flag, *p)
		}
		a, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		}
		*p = a
		return nil
	}
	for _, f := range []struct {
		flag string
		p    *string
	}{{"--bin", &exe}, {"--data", &data}, {"--tls-cert", &cert}, {"--tls-key", &key}} {
		if err := abs(f.flag, f.p); err != nil {
			return serviceConfig{}, err
		}
	}
	if data == "" {
		return serviceConfig{}, fmt.Errorf("--data: want the data directory")
	}
	args := []string{"serve", "--data", data}
	if addr != "" {
		args = append(args, "--addr", addr)
	}
	if cert != "" {
		args = append(args, "--tls-cert", cert, "--tls-key", key)
	}
	for _, a := range extra {
		if strings.ContainsAny(a, "\x00\r\n") {
			return serviceConfig{}, fmt.Errorf("serve flag %q: no line breaks", a)
		}
	}
	args = append(args, extra...)
	return serviceConfig{Name: name, Exe: exe, Data: data, Args: args}, nil
}

// checkServiceName accepts letters, digits, "-", "_" and ".", as both
// systemd unit names and Windows service names do.
func checkServiceName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("--name: want 1 to 64 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("--name %q: want letters, digits, -, _ or .", name)
		}
	}
	return nil
}

// windowsCommandLine is the service's command line as Windows keeps it
// (BinaryPathName): the binary always in quotes, so a path with spaces is
// never read as a shorter one, and each argument quoted and escaped as
// CommandLineToArgvW and the Go runtime split it back.
func windowsCommandLine(exe string, args []string) string {
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(exe) // a Windows path holds no quote
	b.WriteByte('"')
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(windowsQuote(a))
	}
	return b.String()
}

// windowsQuote escapes one argument: quoted when it is empty or has a
// space or tab, backslashes doubled only before a quote (or the closing
// quote), quotes escaped with a backslash.
func windowsQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			slashes++
			b.WriteByte(c)
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			b.WriteByte(c)
			slashes = 0
		default:
			slashes = 0
			b.WriteByte(c)
		}
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}

//go:embed hallcast.service.tmpl
var unitTemplate string

// renderUnit fills the systemd unit template with c.
func renderUnit(c serviceConfig) (string, error) {
	for _, s := range append([]string{c.Exe, c.Data, c.User}, c.Args...) {
		if strings.ContainsAny(s, "\x00\r\n") {
			return "", fmt.Errorf("%q: a unit file line cannot hold a line break", s)
		}
	}
	if c.User == "" {
		c.User = "hallcast"
	}
	exec := []string{systemdExecQuote(c.Exe)}
	for _, a := range c.Args {
		exec = append(exec, systemdExecQuote(a))
	}
	t := template.Must(template.New("unit").Parse(unitTemplate))
	var b bytes.Buffer
	err := t.Execute(&b, map[string]string{
		"Name":        c.Name,
		"User":        c.User,
		"ExecStart":   strings.Join(exec, " "),
		"DataPath":    systemdPathQuote(c.Data),
		"DataDirLine": systemdSpecifiers(c.Data),
	})
	return b.String(), err
}

// systemdExecQuote quotes one word of ExecStart=: in double quotes, with
// backslashes and quotes escaped, "%" (specifiers) doubled and "$"
// (variable expansion) doubled.
func systemdExecQuote(s string) string {
	return `"` + strings.ReplaceAll(systemdCEscape(systemdSpecifiers(s)), "$", "$$") + `"`
}

// systemdPathQuote quotes a path in a list of paths (ReadWritePaths=):
// quoted and C-escaped, "%" doubled; no variables are expanded there.
func systemdPathQuote(s string) string {
	return `"` + systemdCEscape(systemdSpecifiers(s)) + `"`
}

func systemdCEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`).Replace(s)
}

// systemdSpecifiers doubles "%" so systemd does not read a specifier;
// enough for settings that take the rest of the line (WorkingDirectory=).
func systemdSpecifiers(s string) string {
	return strings.ReplaceAll(s, "%", "%%")
}
