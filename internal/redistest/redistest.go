// Package redistest starts a throwaway redis-server for tests: on a free
// loopback port, with persistence off, in a temporary directory, stopped
// when the test ends.
//
// When redis-server is not installed, [Start] skips the test and names the
// package to install (apt-get install redis-server); under CI=true it fails
// the test instead, so CI cannot pass without running it.
package redistest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been reaped
	log    *lockedBuffer
	once   sync.Once
}

// Binary returns the path of redis-server. When it is missing it skips t,
// or fails it under CI=true.
func Binary(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err == nil {
		return path
	}
	const hint = "redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run the Redis tests (.ci/run installs it)", hint)
	}
	t.Skipf("%s: skipping", hint)
	return ""
}

// Start starts a redis-server for t and stops it when t ends. See
// [Binary] for what happens when redis-server is missing.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	var lastErr error
	for range 5 { // a free port can be taken between choosing and binding it
		s, err := start(bin, dir)
		if err == nil {
			t.Cleanup(s.Kill)
			return s
		}
		lastErr = err
	}
	t.Fatalf("redistest: %v", lastErr)
	return nil
}

func start(bin, dir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), exited: make(chan struct{}), log: &lockedBuffer{}}
	s.cmd = exec.Command(bin,
		"--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning")
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	setPdeathsig(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("redis-server on port %d exited at start: %s", port, strings.TrimSpace(s.log.String()))
		default:
		}
		if ping(s.Addr) == nil {
			return s, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Kill()
	return nil, fmt.Errorf("redis-server on port %d did not answer PING within 10s: %s", port, strings.TrimSpace(s.log.String()))
}

// Kill stops the server at once (SIGKILL, as a crash would) and waits
// until it has exited. It may be called more than once.
func (s *Server) Kill() {
	s.once.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ping sends PING and expects +PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return errors.New("unexpected answer to PING")
	}
	return nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
