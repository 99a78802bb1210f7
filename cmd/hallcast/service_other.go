//go:build !windows

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func defaultServiceData() string { return "/var/lib/hallcast" }

// runAsService reports whether the process was started by a service
// manager that needs a handshake; systemd does not.
func runAsService([]string) (bool, error) { return false, nil }

// installService writes the systemd unit (or prints it with --dry-run) and
// says what to run next.
func installService(c serviceConfig, o serviceOptions, stdout io.Writer) error {
	unit, err := renderUnit(c)
	if err != nil {
		return err
	}
	if o.dryRun {
		fmt.Fprintf(stdout, "# %s\n%s", o.unit, unit)
		return nil
	}
	if exists(o.unit) && !o.force {
		return fmt.Errorf("%s already exists; not replaced without --force (--dry-run shows the new one)", o.unit)
	}
	if err := os.MkdirAll(filepath.Dir(o.unit), 0o755); err != nil {
		return err
	}
	if err := writeFile(o.unit, []byte(unit), 0o644); err != nil {
		return err
	}
	q := shellQuote
	fmt.Fprintf(stdout, "wrote %s\n\nnext, as root:\n", o.unit)
	fmt.Fprintf(stdout, "  useradd --system --home-dir %s --shell /usr/sbin/nologin %s   # once\n", q(c.Data), q(c.User))
	fmt.Fprintf(stdout, "  install -d -o %s -g %s -m 0750 %s\n", q(c.User), q(c.User), q(c.Data))
	fmt.Fprintln(stdout, "  systemctl daemon-reload")
	fmt.Fprintf(stdout, "  systemctl enable --now %s\n", c.Name)
	fmt.Fprintf(stdout, "  systemctl status %s        # the first admin password is in: journalctl -u %s\n", c.Name, c.Name)
	return nil
}

// controlService runs systemctl for start and stop; uninstall disables the
// unit and removes its file.
func controlService(ctx context.Context, action, name, unit string, stdout, stderr io.Writer) error {
	systemctl := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "systemctl", args...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("systemctl %s: %w", strings.Join(args, " "), err)
		}
		return nil
	}
	switch action {
	case "start", "stop":
		return systemctl(action, name)
	}
	if !exists(unit) {
		return fmt.Errorf("%s: no such unit file", unit)
	}
	if err := systemctl("disable", "--now", name); err != nil {
		return err
	}
	if err := os.Remove(unit); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed %s; the data directory is kept\n", unit)
	return systemctl("daemon-reload")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
