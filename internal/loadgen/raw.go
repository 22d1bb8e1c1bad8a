package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Conn sends one request again and again over one keep-alive connection,
// with the built-in HTTP/1.1 client; it is not safe for concurrent use.
// Run gives each worker one.
type Conn struct {
	req *rawRequest
	raw rawConn
}

// NewConn prepares r (an http:// URL) for sending; it connects on the
// first Do.
func NewConn(r Request) (*Conn, error) {
	req, err := serialize(r)
	if err != nil {
		return nil, err
	}
	return &Conn{req: req}, nil
}

// Do sends the request, reads the whole answer and returns its status.
func (c *Conn) Do(ctx context.Context) (int, error) { return c.raw.do(ctx, c.req) }

// Close closes the connection, if open.
func (c *Conn) Close() { c.raw.close() }

// rawRequest is a request serialised once, and the address it goes to.
type rawRequest struct {
	addr string // host:port
	data []byte
}

// serialize writes r as net/http's client would send it over HTTP/1.1.
func serialize(r Request) (*rawRequest, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("loadgen: %s: only http:// URLs", u.Redacted())
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	req, err := http.NewRequest(r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "loadgen")
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	return &rawRequest{addr: addr, data: buf.Bytes()}, nil
}

// rawConn is a worker's keep-alive connection for the built-in client.
type rawConn struct {
	conn net.Conn
	br   *bufio.Reader
}

// rawTimeout bounds one exchange.
const rawTimeout = 30 * time.Second

// do sends r and reads the whole answer; it returns the status. A
// connection the server closes, or that fails, is dialled again for the
// next request.
func (c *rawConn) do(ctx context.Context, r *rawRequest) (int, error) {
	if c.conn == nil {
		d := net.Dialer{Timeout: 5 * time.Second}
		conn, err := d.DialContext(ctx, "tcp", r.addr)
		if err != nil {
			return 0, err
		}
		c.conn = conn
		if c.br == nil {
			c.br = bufio.NewReaderSize(conn, 16<<10)
		} else {
			c.br.Reset(conn)
		}
	}
	if err := c.conn.SetDeadline(time.Now().Add(rawTimeout)); err != nil {
		c.close()
		return 0, err
	}
	if _, err := c.conn.Write(r.data); err != nil {
		c.close()
		return 0, err
	}
	status, closing, err := readResponse(c.br)
	if err != nil || closing {
		c.close()
	}
	return status, err
}

func (c *rawConn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// errMalformed is wrapped by the errors of an answer that is not HTTP/1.x.
var errMalformed = errors.New("malformed answer")

// readResponse reads one answer (after any 1xx) and discards its body; it
// returns the status and whether the server closes the connection.
func readResponse(br *bufio.Reader) (status int, closing bool, err error) {
	for {
		line, err := readLine(br)
		if err != nil {
			return 0, true, err
		}
		proto, rest, _ := bytes.Cut(line, []byte(" "))
		if !bytes.HasPrefix(proto, []byte("HTTP/1.")) || len(rest) < 3 {
			return 0, true, fmt.Errorf("%w: status line %.40q", errMalformed, line)
		}
		status, err = strconv.Atoi(string(rest[:3]))
		if err != nil || status < 100 {
			return 0, true, fmt.Errorf("%w: status line %.40q", errMalformed, line)
		}
		closing = string(proto) == "HTTP/1.0"
		length, chunked := int64(-1), false
		for {
			line, err := readLine(br)
			if err != nil {
				return 0, true, err
			}
			if len(line) == 0 {
				break
			}
			name, value, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				return 0, true, fmt.Errorf("%w: header line %.40q", errMalformed, line)
			}
			value = bytes.TrimSpace(value)
			switch {
			case bytes.EqualFold(name, []byte("Content-Length")):
				if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
					return 0, true, fmt.Errorf("%w: Content-Length %.40q", errMalformed, value)
				}
			case bytes.EqualFold(name, []byte("Transfer-Encoding")):
				chunked = bytes.EqualFold(value, []byte("chunked"))
			case bytes.EqualFold(name, []byte("Connection")):
				switch {
				case hasToken(value, "close"):
					closing = true
				case hasToken(value, "keep-alive"):
					closing = false // HTTP/1.0 with keep-alive
				}
			}
		}
		if status < 200 {
			continue // an interim answer: the real one follows
		}
		switch {
		case status == http.StatusNoContent || status == http.StatusNotModified:
		case chunked:
			err = discardChunked(br)
		case length >= 0:
			_, err = br.Discard(int(length))
		default: // delimited by the end of the connection
			_, err = io.Copy(io.Discard, br)
			closing = true
		}
		return status, closing, err
	}
}

// discardChunked reads a chunked body and its trailer.
func discardChunked(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: chunk size %.40q", errMalformed, line)
		}
		if n == 0 {
			for { // the trailer, up to an empty line
				line, err := readLine(br)
				if err != nil || len(line) == 0 {
					return err
				}
			}
		}
		if _, err := br.Discard(int(n)); err != nil {
			return err
		}
		if line, err := readLine(br); err != nil || len(line) != 0 {
			return errors.Join(err, fmt.Errorf("%w: no CRLF after a chunk", errMalformed))
		}
	}
}

// hasToken reports whether the comma-separated list v has token, in any
// case.
func hasToken(v []byte, token string) bool {
	for part := range bytes.SplitSeq(v, []byte(",")) {
		if bytes.EqualFold(bytes.TrimSpace(part), []byte(token)) {
			return true
		}
	}
	return false
}

// readLine reads a line without its CRLF (or LF); the slice is valid until
// the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return line, nil
}
