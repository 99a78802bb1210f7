//go:build windows

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

func defaultServiceData() string {
	pd := os.Getenv("ProgramData")
	if pd == "" {
		pd = `C:\ProgramData`
	}
	return filepath.Join(pd, "hallcast")
}

// runAsService runs args (serve and its flags) under the service manager
// when it started the process: stop and shutdown end the server, its logs
// go to hallcast.log in the data directory and failures to the event log.
func runAsService(args []string) (bool, error) {
	is, err := svc.IsWindowsService()
	if err != nil || !is {
		return false, err
	}
	return true, svc.Run("hallcast", &winService{args: args})
}

type winService struct{ args []string }

func (w *winService) Execute(sargs []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	name := "hallcast"
	if len(sargs) > 0 {
		name = sargs[0]
	}
	elog, err := eventlog.Open(name)
	if err != nil {
		elog = nil
	}
	report := func(err error) {
		if elog != nil {
			elog.Error(1, err.Error())
		}
	}
	var out io.Writer = io.Discard
	if data := flagValue(w.args, "--data"); data != "" {
		if f, err := os.OpenFile(filepath.Join(data, "hallcast.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
			defer f.Close()
			out = f
		} else {
			report(fmt.Errorf("open the log file: %w", err))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, w.args, os.Getenv, strings.NewReader(""), out, out) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	if elog != nil {
		elog.Info(1, "hallcast started: "+strings.Join(w.args, " "))
	}
	for {
		select {
		case err := <-done:
			if err != nil {
				report(fmt.Errorf("hallcast stopped: %w", err))
				return false, 1
			}
			return false, 0
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				cancel()
				if err := <-done; err != nil {
					report(fmt.Errorf("hallcast stopped: %w", err))
				}
				return false, 0
			}
		}
	}
}

// flagValue finds "--name value" or "--name=value" in args.
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// installService registers the service (automatic, delayed start,
// restarted on failure) with its command line quoted by windowsCommandLine.
func installService(c serviceConfig, o serviceOptions, stdout io.Writer) error {
	cmdline := windowsCommandLine(c.Exe, c.Args)
	if o.dryRun {
		fmt.Fprintf(stdout, "service %s would run:\n  %s\n", c.Name, cmdline)
		return nil
	}
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return err
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager (run as administrator): %w", err)
	}
	defer m.Disconnect()
	cfg := mgr.Config{DisplayName: "hallcast", Description: "hallcast 政务公开屏服务器 (public-disclosure screens server)",
		StartType: mgr.StartAutomatic, DelayedAutoStart: true}
	s, err := m.OpenService(c.Name)
	if err == nil {
		if !o.force {
			s.Close()
			return fmt.Errorf("service %q already exists; not replaced without --force", c.Name)
		}
		cur, err := s.Config()
		if err != nil {
			s.Close()
			return err
		}
		cfg.ServiceType, cfg.ErrorControl = cur.ServiceType, cur.ErrorControl
	} else {
		if s, err = m.CreateService(c.Name, c.Exe, cfg); err != nil {
			return fmt.Errorf("create service %q: %w", c.Name, err)
		}
		cur, err := s.Config()
		if err != nil {
			s.Close()
			return err
		}
		cfg.ServiceType, cfg.ErrorControl = cur.ServiceType, cur.ErrorControl
	}
	defer s.Close()
	cfg.BinaryPathName = cmdline
	if err := s.UpdateConfig(cfg); err != nil {
		return fmt.Errorf("configure service %q: %w", c.Name, err)
	}
	restart := []mgr.RecoveryAction{{Type: mgr.ServiceRestart, Delay: 5 * time.Second}, {Type: mgr.ServiceRestart, Delay: 30 * time.Second}, {Type: mgr.ServiceRestart, Delay: time.Minute}}
	if err := s.SetRecoveryActions(restart, 24*60*60); err != nil {
		return fmt.Errorf("set restart on failure: %w", err)
	}
	if err := eventlog.InstallAsEventCreate(c.Name, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil && !strings.Contains(err.Error(), "exists") {
		return fmt.Errorf("register the event log source: %w", err)
	}
	fmt.Fprintf(stdout, "installed service %s:\n  %s\n\nnext:\n  hallcast service start\n", c.Name, cmdline)
	fmt.Fprintf(stdout, "  logs: %s\n", filepath.Join(c.Data, "hallcast.log"))
	fmt.Fprintln(stdout, `  let the screens in: netsh advfirewall firewall add rule name="hallcast" dir=in action=allow protocol=TCP localport=8080`)
	return nil
}

func controlService(_ context.Context, action, name, _ string, stdout, _ io.Writer) error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager (run as administrator): %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if err != nil {
		return fmt.Errorf("service %q: %w", name, err)
	}
	defer s.Close()
	switch action {
	case "start":
		if err := s.Start(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "started %s\n", name)
		return nil
	case "stop":
		if err := stopAndWait(s); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "stopped %s\n", name)
		return nil
	}
	if err := stopAndWait(s); err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
		return err
	}
	if err := s.Delete(); err != nil {
		return err
	}
	eventlog.Remove(name)
	fmt.Fprintf(stdout, "removed service %s; the data directory is kept\n", name)
	return nil
}

// stopAndWait asks the service to stop and waits up to 30 seconds.
func stopAndWait(s *mgr.Service) error {
	st, err := s.Control(svc.Stop)
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); st.State != svc.Stopped; {
		if time.Now().After(deadline) {
			return errors.New("the service did not stop within 30 seconds")
		}
		time.Sleep(300 * time.Millisecond)
		if st, err = s.Query(); err != nil {
			return err
		}
	}
	return nil
}
