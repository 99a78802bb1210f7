package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Redis servers the tests start themselves, on spare loopback ports, and
// stop by pid.

// sparePort returns a loopback port that is free, and whose Cluster bus
// port (port+10000) is free too.
func sparePort() (int, error) {
	for range 100 {
		p := 20000 + rand.IntN(10000)
		ok := true
		for _, q := range []int{p, p + 10000} {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(q)))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return p, nil
		}
	}
	return 0, errors.New("no spare port found")
}

// waitPing waits until the server on addr answers PING.
func waitPing(addr string, within time.Duration) error {
	c := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis at %s does not answer: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopPID ends a process the test started: SIGTERM, then SIGKILL if it
// is still there after a while.
func stopPID(pid int) {
	if pid <= 0 {
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// childServer is a redis-server run as a child process of the test.
type childServer struct {
	port int
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// startChild starts redis-server on a spare port with the extra
// arguments; it is stopped when the test ends.
func startChild(tb testing.TB, extra ...string) *childServer {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		needRedis(tb, "redis-server is not on PATH")
	}
	port, err := sparePort()
	if err != nil {
		tb.Fatal(err)
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--dir", tb.TempDir()}, extra...)
	s := &childServer{port: port, args: args}
	tb.Cleanup(s.Stop)
	if err := s.Start(); err != nil {
		tb.Fatal(err)
	}
	return s
}

func (s *childServer) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

func (s *childServer) URL() string { return "redis://" + s.Addr() + "/0" }

// Start (re)starts the server on its port and waits until it answers.
func (s *childServer) Start() error {
	s.cmd = exec.Command("redis-server", s.args...)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		close(done)
	}(s.cmd, s.done)
	return waitPing(s.Addr(), 10*time.Second)
}

// Stop ends the server by its pid and waits for it to exit.
func (s *childServer) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// testClusterNodes is a Redis Cluster of daemonized servers, one master
// per node and no replicas.
type testClusterNodes struct {
	dir   string
	ports []int
}

// startCluster starts n daemonized redis-servers with Cluster mode on,
// joins them with redis-cli --cluster create and waits for
// cluster_state:ok on every node.
func startCluster(n int) (*testClusterNodes, error) {
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			return nil, fmt.Errorf("%s is not on PATH", bin)
		}
	}
	dir, err := os.MkdirTemp("", "hallcast-redis-cluster-")
	if err != nil {
		return nil, err
	}
	c := &testClusterNodes{dir: dir}
	fail := func(err error) (*testClusterNodes, error) {
		c.Stop()
		return nil, err
	}
	var addrs []string
	for range n {
		port, err := sparePort()
		if err != nil {
			return fail(err)
		}
		p := strconv.Itoa(port)
		out, err := exec.Command("redis-server", "--port", p, "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes-"+p+".conf"),
			"--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no", "--dir", dir,
			"--daemonize", "yes", "--pidfile", c.pidfile(port), "--logfile", filepath.Join(dir, "redis-"+p+".log"),
		).CombinedOutput()
		if err != nil {
			return fail(fmt.Errorf("start cluster node %s: %v: %s", p, err, out))
		}
		c.ports = append(c.ports, port)
		addr := "127.0.0.1:" + p
		if err := waitPing(addr, 10*time.Second); err != nil {
			return fail(err)
		}
		addrs = append(addrs, addr)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		return fail(fmt.Errorf("redis-cli --cluster create: %v: %s", err, out))
	}
	for _, addr := range addrs {
		if err := waitClusterOK(addr, 30*time.Second); err != nil {
			return fail(err)
		}
	}
	return c, nil
}

func (c *testClusterNodes) pidfile(port int) string {
	return filepath.Join(c.dir, "redis-"+strconv.Itoa(port)+".pid")
}

// URL is the store URL of the cluster: the first node, the others as addr
// parameters.
func (c *testClusterNodes) URL() string {
	u := "redis+cluster://127.0.0.1:" + strconv.Itoa(c.ports[0])
	for i, p := range c.ports[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=127.0.0.1:" + strconv.Itoa(p)
	}
	return u
}

// Stop ends every node by the pid in its pidfile and removes the
// directory.
func (c *testClusterNodes) Stop() {
	for _, port := range c.ports {
		b, err := os.ReadFile(c.pidfile(port))
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		stopPID(pid)
	}
	os.RemoveAll(c.dir)
}

// waitClusterOK waits until the node at addr reports cluster_state:ok.
func waitClusterOK(addr string, within time.Duration) error {
	c := goredis.NewClient(&goredis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(within)
	for {
		info, err := c.ClusterInfo(context.Background()).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster node %s: not ok after %v: %v %s", addr, within, err, info)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
