package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files tls init writes in its directory.
const (
	caCertFile     = "ca.crt"
	caKeyFile      = "ca.key"
	serverCertFile = "server.crt"
	serverKeyFile  = "server.key"
)

// Lifetimes: the CA is trusted once on every screen PC and lasts; the
// server certificate stays within the 825 days browsers accept.
const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 825 * 24 * time.Hour
)

// tlsInit makes a local certificate authority and a server certificate
// for the addresses the hall's screens use, so they can reach the server
// over https (a secure context: service workers, offline start).
func tlsInit(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tls init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env(getenv, "HALLCAST_DATA", "./data"), "data directory (HALLCAST_DATA)")
	dir := fs.String("dir", "", "where to write the files (default: tls in --data)")
	hostsFlag := fs.String("hosts", "", "comma-separated IP addresses and DNS names the screens use to reach the server, e.g. 192.168.1.10,hall.local")
	force := fs.Bool("force", false, "replace an existing server certificate and key")
	newCA := fs.Bool("new-ca", false, "make a new CA even if one exists (every screen PC must then trust the new one); with --force")
	lang := fs.String("lang", env(getenv, "HALLCAST_LANG", "zh"), "language of the instructions: zh or en (HALLCAST_LANG)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *lang != "zh" && *lang != "en" {
		return fmt.Errorf("--lang: want zh or en, got %q", *lang)
	}
	ips, names, err := parseHosts(*hostsFlag)
	if err != nil {
		return err
	}
	if *dir == "" {
		*dir = filepath.Join(*data, "tls")
	}
	path := func(name string) string { return filepath.Join(*dir, name) }

	// The CA is kept when it exists, so the screens that trust it go on
	// trusting the new server certificate.
	caExists := exists(path(caCertFile)) && exists(path(caKeyFile))
	if *newCA {
		caExists = false
	}
	var check []string
	if !caExists {
		check = append(check, caCertFile, caKeyFile)
	}
	check = append(check, serverCertFile, serverKeyFile)
	if !*force {
		var there []string
		for _, f := range check {
			if exists(path(f)) {
				there = append(there, path(f))
			}
		}
		if len(there) > 0 {
			return fmt.Errorf("%s already exist(s); not replaced without --force", strings.Join(there, ", "))
		}
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	now := time.Now()
	var ca *x509.Certificate
	var caKey *ecdsa.PrivateKey
	if caExists {
		if ca, caKey, err = loadCA(path(caCertFile), path(caKeyFile)); err != nil {
			return err
		}
	} else {
		host, _ := os.Hostname()
		if ca, caKey, err = makeCA("hallcast 本地证书颁发机构 "+host, now); err != nil {
			return err
		}
		if err := writePEM(path(caKeyFile), "PRIVATE KEY", mustPKCS8(caKey), 0o600); err != nil {
			return err
		}
		if err := writePEM(path(caCertFile), "CERTIFICATE", ca.Raw, 0o644); err != nil {
			return err
		}
	}
	leaf, leafKey, err := makeServerCert(ca, caKey, ips, names, now)
	if err != nil {
		return err
	}
	if err := writePEM(path(serverKeyFile), "PRIVATE KEY", mustPKCS8(leafKey), 0o600); err != nil {
		return err
	}
	// The chain after the leaf, as browsers expect it.
	chain := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	if err := writeFile(path(serverCertFile), chain, 0o644); err != nil {
		return err
	}
	printTrust(stdout, *lang, *dir, ca, leaf, caExists)
	return nil
}

// parseHosts splits --hosts into IP addresses and DNS names; localhost and
// 127.0.0.1 are always added, for a screen on the server's own PC.
func parseHosts(s string) ([]net.IP, []string, error) {
	var ips []net.IP
	var names []string
	seen := map[string]bool{}
	for _, h := range append(strings.Split(s, ","), "localhost", "127.0.0.1") {
		h = strings.TrimSpace(h)
		if h == "" || seen[strings.ToLower(h)] {
			continue
		}
		seen[strings.ToLower(h)] = true
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
			continue
		}
		if !validDNSName(h) {
			return nil, nil, fmt.Errorf("--hosts: %q is neither an IP address nor a DNS name", h)
		}
		names = append(names, strings.ToLower(h))
	}
	if len(ips)+len(names) == 2 && strings.TrimSpace(s) == "" {
		return nil, nil, errors.New("--hosts: name the server's addresses on the hall network, e.g. --hosts 192.168.1.10,hall.local")
	}
	return ips, names, nil
}

// validDNSName accepts letters, digits, hyphens and dots (a leading "*."
// for a wildcard), 1–253 characters, labels of 1–63.
func validDNSName(h string) bool {
	if len(h) > 253 {
		return false
	}
	h = strings.TrimPrefix(h, "*.")
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func makeCA(name string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"hallcast"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func makeServerCert(ca *x509.Certificate, caKey *ecdsa.PrivateKey, ips []net.IP, names []string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	cn := "hallcast"
	if len(names) > 0 {
		cn = names[0]
	}
	notAfter := now.Add(serverLifetime)
	if notAfter.After(ca.NotAfter) {
		notAfter = ca.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"hallcast"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  ips,
		DNSNames:     names,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func loadCA(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	kb, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, err
	}
	cblock, _ := pem.Decode(cb)
	kblock, _ := pem.Decode(kb)
	if cblock == nil || kblock == nil {
		return nil, nil, fmt.Errorf("%s, %s: not PEM", certPath, keyPath)
	}
	cert, err := x509.ParseCertificate(cblock.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", certPath, err)
	}
	k, err := x509.ParsePKCS8PrivateKey(kblock.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) || !cert.IsCA {
		return nil, nil, fmt.Errorf("%s does not hold the key of the CA in %s (use --new-ca --force for a new CA)", keyPath, certPath)
	}
	return cert, key, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n
}

func keyID(pub *ecdsa.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return sum[:20]
}

func mustPKCS8(key *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err) // a P-256 key always marshals
	}
	return der
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return writeFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

// writeFile writes through a temporary file and a rename, with mode set
// before any byte is written (a key is never readable by others).
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil { // whatever the umask
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, iofs.ErrNotExist)
}

// printTrust says what was made and how to trust the CA on the screen PCs.
func printTrust(w io.Writer, lang, dir string, ca, leaf *x509.Certificate, reused bool) {
	var hosts []string
	for _, ip := range leaf.IPAddresses {
		hosts = append(hosts, ip.String())
	}
	hosts = append(hosts, leaf.DNSNames...)
	caPath := filepath.Join(dir, caCertFile)
	fp := sha256.Sum256(ca.Raw)
	cert, key := filepath.Join(dir, serverCertFile), filepath.Join(dir, serverKeyFile)
	if lang == "en" {
		if reused {
			fmt.Fprintf(w, "Kept the existing CA %s.\n", caPath)
		} else {
			fmt.Fprintf(w, "Made a local CA: %s (key %s, valid until %s).\n", caPath, filepath.Join(dir, caKeyFile), ca.NotAfter.Format("2006-01-02"))
		}
		fmt.Fprintf(w, "Made a server certificate for %s: %s (key %s, valid until %s).\n\n", strings.Join(hosts, ", "), cert, key, leaf.NotAfter.Format("2006-01-02"))
		fmt.Fprintf(w, "Start the server with:\n  hallcast serve --tls-cert \"%s\" --tls-key \"%s\"\n\n", cert, key)
		fmt.Fprintf(w, "Copy %s (not the key) to every screen PC and trust it there:\n", caCertFile)
		fmt.Fprintln(w, "  Windows (an administrator's command prompt):  certutil -addstore -f Root ca.crt")
		fmt.Fprintln(w, "    or double-click ca.crt > Install Certificate > Local Machine > Place all certificates in: Trusted Root Certification Authorities")
		fmt.Fprintln(w, "  Linux (Debian, Ubuntu, UOS, Kylin):  sudo cp ca.crt /usr/local/share/ca-certificates/hallcast-ca.crt && sudo update-ca-certificates")
		fmt.Fprintln(w, "    Chromium and Chrome on Linux read their own store: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n hallcast -i ca.crt (package libnss3-tools)")
		fmt.Fprintf(w, "Check the fingerprint on the screen PC (SHA-256): %X\n", fp)
		fmt.Fprintln(w, "Then restart the browser and open https://<server>:<port>/player or /kiosk.")
		return
	}
	if reused {
		fmt.Fprintf(w, "沿用已有的本地证书颁发机构 %s。\n", caPath)
	} else {
		fmt.Fprintf(w, "已生成本地证书颁发机构（CA）：%s（私钥 %s，有效期至 %s）。\n", caPath, filepath.Join(dir, caKeyFile), ca.NotAfter.Format("2006-01-02"))
	}
	fmt.Fprintf(w, "已为 %s 生成服务器证书：%s（私钥 %s，有效期至 %s）。\n\n", strings.Join(hosts, ", "), cert, key, leaf.NotAfter.Format("2006-01-02"))
	fmt.Fprintf(w, "用以下参数启动服务器：\n  hallcast serve --tls-cert \"%s\" --tls-key \"%s\"\n\n", cert, key)
	fmt.Fprintf(w, "把 %s（不要复制私钥）拷到每台屏幕电脑上并设为信任：\n", caCertFile)
	fmt.Fprintln(w, "  Windows（以管理员身份打开命令提示符）：certutil -addstore -f Root ca.crt")
	fmt.Fprintln(w, "    或双击 ca.crt > 安装证书 > 本地计算机 > 将所有的证书都放入下列存储：受信任的根证书颁发机构")
	fmt.Fprintln(w, "  Linux（Debian、Ubuntu、统信UOS、麒麟）：sudo cp ca.crt /usr/local/share/ca-certificates/hallcast-ca.crt && sudo update-ca-certificates")
	fmt.Fprintln(w, "    Linux 上的 Chromium 和 Chrome 使用自己的证书库：certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n hallcast -i ca.crt（软件包 libnss3-tools）")
	fmt.Fprintf(w, "请在屏幕电脑上核对指纹（SHA-256）：%X\n", fp)
	fmt.Fprintln(w, "然后重启浏览器，打开 https://<服务器>:<端口>/player 或 /kiosk。")
}
