package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// tlsInitInto runs "hallcast tls init" and returns its output.
func tlsInitInto(t *testing.T, dir string, extra ...string) (string, error) {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), append([]string{"tls", "init", "--dir", dir, "--hosts", "127.0.0.1,hall.local"}, extra...),
		envOf(nil), nil, &out, &errOut)
	return out.String() + errOut.String(), err
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTLSInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "大厅 数据", "tls")
	out, err := tlsInitInto(t, dir)
	if err != nil {
		t.Fatalf("tls init: %v\n%s", err, out)
	}
	for _, want := range []string{"certutil -addstore -f Root ca.crt", "update-ca-certificates", "受信任的根证书颁发机构", "--tls-cert"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if runtime.GOOS != "windows" {
		for _, f := range []string{caKeyFile, serverKeyFile} {
			st, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != 0o600 {
				t.Errorf("%s: mode %o, want 600", f, got)
			}
		}
	}
	ca, leaf := readCert(t, filepath.Join(dir, caCertFile)), readCert(t, filepath.Join(dir, serverCertFile))
	host, _ := os.Hostname()
	if want := "hallcast 本地证书颁发机构 " + host; ca.Subject.CommonName != want || !ca.IsCA {
		t.Errorf("CA %q (IsCA %v), want %q", ca.Subject.CommonName, ca.IsCA, want)
	}
	if got := ca.NotAfter.Sub(ca.NotBefore); got < 10*365*24*time.Hour {
		t.Errorf("CA lasts %v, want 10 years", got)
	}
	if got := leaf.NotAfter.Sub(time.Now()); got > 825*24*time.Hour {
		t.Errorf("server certificate lasts %v, want at most 825 days", got)
	}
	if err := leaf.VerifyHostname("hall.local"); err != nil {
		t.Error(err)
	}
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	if err := leaf.CheckSignatureFrom(ca); err != nil {
		t.Error(err)
	}

	// Nothing is replaced without --force; with it the CA is kept.
	before, _ := os.ReadFile(filepath.Join(dir, serverCertFile))
	if out, err := tlsInitInto(t, dir); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second init: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, serverCertFile)); !bytes.Equal(before, after) {
		t.Fatal("a refused init changed the certificate")
	}
	if out, err := tlsInitInto(t, dir, "--force", "--lang", "en"); err != nil || !strings.Contains(out, "Kept the existing CA") {
		t.Fatalf("--force: %v\n%s", err, out)
	}
	if again := readCert(t, filepath.Join(dir, caCertFile)); !again.Equal(ca) {
		t.Error("--force replaced the CA")
	}
	if readCert(t, filepath.Join(dir, serverCertFile)).Equal(leaf) {
		t.Error("--force kept the old server certificate")
	}
	if out, err := tlsInitInto(t, t.TempDir(), "--hosts", "not a host"); err == nil {
		t.Fatalf("a bad host was accepted:\n%s", out)
	}
}

// TestServeTLS serves with the files tls init made: a client trusting only
// that CA reaches /healthz over https and a screen over wss, and plain http
// on the same port is redirected to https.
func TestServeTLS(t *testing.T) {
	data := t.TempDir()
	tlsDir := filepath.Join(data, "tls")
	if out, err := tlsInitInto(t, tlsDir); err != nil {
		t.Fatalf("tls init: %v\n%s", err, out)
	}
	env := map[string]string{"HALLCAST_DATA": data, "HALLCAST_ADMIN_PASSWORD": "a-long-test-password",
		"HALLCAST_TLS_CERT": filepath.Join(tlsDir, serverCertFile), "HALLCAST_TLS_KEY": filepath.Join(tlsDir, serverKeyFile)}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, envOf(env), strings.NewReader(""), &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	re := regexp.MustCompile(`listening on (https://\S+)`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no https listening line:\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	base = strings.Replace(base, "localhost", "127.0.0.1", 1)

	pool := x509.NewCertPool()
	pool.AddCert(readCert(t, filepath.Join(tlsDir, caCertFile)))
	tlsConf := &tls.Config{RootCAs: pool}
	httpsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConf}, Timeout: 10 * time.Second}
	resp, err := httpsClient.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("https /healthz: %s (TLS %v)", resp.Status, resp.TLS != nil)
	}
	// hallcast healthcheck trusts the CA it is given.
	var hc, hcErr syncBuffer
	if err := run(context.Background(), []string{"healthcheck", "--url", base + "/healthz", "--ca", filepath.Join(tlsDir, caCertFile)}, envOf(nil), nil, &hc, &hcErr); err != nil {
		t.Fatalf("healthcheck over https: %v %s", err, hcErr.String())
	}
	// A client that does not trust the CA is refused.
	if _, err := (&http.Client{Timeout: 10 * time.Second}).Get(base + "/healthz"); err == nil {
		t.Fatal("a client without the CA connected")
	}

	// Plain http on the same port: a redirect to the same path over https.
	plain := "http://" + strings.TrimPrefix(base, "https://")
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(plain + "/player?mode=ticker")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("Location"), base+"/player?mode=ticker"; resp.StatusCode != http.StatusPermanentRedirect || got != want {
		t.Fatalf("plain http: %s Location %q, want 308 %q", resp.Status, got, want)
	}

	// A screen over wss.
	var tok, errOut syncBuffer
	if err := run(context.Background(), []string{"token", "create", "--user", "admin"}, envOf(env), nil, &tok, &errOut); err != nil {
		t.Fatalf("token create: %v %s", err, errOut.String())
	}
	api := func(method, path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok.String()))
		req.Header.Set("Content-Type", "application/json")
		resp, err := httpsClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 || json.Unmarshal(raw, out) != nil {
			t.Fatalf("%s %s: %s %s", method, path, resp.Status, raw)
		}
	}
	var halls struct{ Halls []struct{ ID string } }
	api("GET", "/api/v1/halls", nil, &halls)
	var made struct{ Token string }
	api("POST", "/api/v1/screens", map[string]any{"name": "大厅LED", "kind": "led", "hall_id": halls.Halls[0].ID}, &made)
	dialer := websocket.Dialer{TLSClientConfig: tlsConf, HandshakeTimeout: 10 * time.Second}
	ws, _, err := dialer.Dial("wss://"+strings.TrimPrefix(base, "https://")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"type": "hello", "token": made.Token, "version": "test", "secure_context": true}); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var welcome map[string]any
	if err := ws.ReadJSON(&welcome); err != nil || welcome["type"] != "welcome" {
		t.Fatalf("over wss: %v %v", welcome, err)
	}
	var manifest map[string]any
	if err := ws.ReadJSON(&manifest); err != nil || manifest["type"] != "manifest" {
		t.Fatalf("over wss, after welcome: %v %v", manifest, err)
	}
}
