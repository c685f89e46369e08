package paragon_test

// A hand-written HTTP/2 server over TLS (ALPN "h2") that misbehaves at the
// frame level: it resets streams with any error code, sends GOAWAY with any
// last stream ID, and answers the rest. net/http's own server can't be made
// to do this, and golang.org/x/net/http2's Framer (a test-only dependency)
// does the framing.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/internal/transport"
)

// h2Req is one complete request stream the server read.
type h2Req struct {
	Conn     int    // connection number, from 1
	StreamID uint32 // the client's stream ID
	Method   string
	Path     string // :path, with the query
	Header   http.Header
	Body     []byte
}

// h2ActionKind is what the server does with a complete request.
type h2ActionKind int

const (
	h2Respond     h2ActionKind = iota // answer Status, Header, Body
	h2ResetStream                     // RST_STREAM with Code
	h2GoAway                          // GOAWAY whose last stream ID is below this stream (when it is the newest handed out)
	h2GoAwayZero                      // GOAWAY(last_stream_id=0)
	h2Ignore                          // never answer (the client's deadline ends it)
)

// h2Action is the server's answer to one request.
type h2Action struct {
	Kind   h2ActionKind
	Code   http2.ErrCode // for h2ResetStream
	Status int
	Header http.Header
	Body   []byte
}

// h2Server serves HTTP/2 over TLS on loopback. handle decides what happens
// to each complete request; it runs on its own goroutine per request, so it
// may block (for example to forward the request).
type h2Server struct {
	URL    string
	Pool   *x509.CertPool // trusts the server's certificate
	handle func(r *h2Req) h2Action

	ln      net.Listener
	tlsConf *tls.Config
	wg      sync.WaitGroup
	done    chan struct{}

	mu    sync.Mutex
	conns map[int]net.Conn
	nconn int
	seen  []*h2Req
}

var (
	h2CertOnce sync.Once
	h2Cert     tls.Certificate
	h2Pool     *x509.CertPool
)

// h2Certificate returns a self-signed certificate for 127.0.0.1, made once.
func h2Certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	h2CertOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "paragon h2 test"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
			IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
			DNSNames:              []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			panic(err)
		}
		h2Cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}
		h2Pool = x509.NewCertPool()
		h2Pool.AddCert(cert)
	})
	return h2Cert, h2Pool
}

// newH2Server starts a server; it is closed when the test ends.
func newH2Server(t testing.TB, handle func(r *h2Req) h2Action) *h2Server {
	t.Helper()
	cert, pool := h2Certificate(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &h2Server{
		URL:     "https://" + ln.Addr().String(),
		Pool:    pool,
		handle:  handle,
		ln:      ln,
		tlsConf: &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS12},
		done:    make(chan struct{}),
		conns:   map[int]net.Conn{},
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and waits for its goroutines.
func (s *h2Server) Close() {
	select {
	case <-s.done:
		return
	default:
	}
	close(s.done)
	_ = s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Seen returns every complete request read so far.
func (s *h2Server) Seen() []*h2Req {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*h2Req(nil), s.seen...)
}

// Conns returns how many connections were accepted.
func (s *h2Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nconn
}

func (s *h2Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.nconn++
		id := s.nconn
		s.conns[id] = nc
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				_ = nc.Close()
				s.mu.Lock()
				delete(s.conns, id)
				s.mu.Unlock()
			}()
			s.serveConn(nc, id)
		}()
	}
}

// h2Conn is the state of one connection.
type h2Conn struct {
	s  *h2Server
	id int
	nc net.Conn

	wmu  sync.Mutex // guards fr's writes and enc
	fr   *http2.Framer
	enc  *hpack.Encoder
	ebuf bytes.Buffer

	mu         sync.Mutex
	streams    map[uint32]*h2Req
	inflight   int             // requests handed to handle, not yet answered
	dispatched map[uint32]bool // stream IDs handed to handle
	goneAway   bool
	lastOK     uint32 // after GOAWAY: the last stream ID still served
	handlers   sync.WaitGroup
}

func (s *h2Server) serveConn(nc net.Conn, id int) {
	tc := tls.Server(nc, s.tlsConf)
	if err := tc.Handshake(); err != nil || tc.ConnectionState().NegotiatedProtocol != "h2" {
		return
	}
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(tc, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	c := &h2Conn{s: s, id: id, nc: tc, streams: map[uint32]*h2Req{}, dispatched: map[uint32]bool{}}
	c.fr = http2.NewFramer(tc, tc)
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.fr.MaxHeaderListSize = 1 << 20
	c.enc = hpack.NewEncoder(&c.ebuf)
	defer c.handlers.Wait()
	c.write(func() error {
		return c.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	})
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				c.write(c.fr.WriteSettingsAck)
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				c.write(func() error { return c.fr.WritePing(true, f.Data) })
			}
		case *http2.MetaHeadersFrame:
			r := &h2Req{Conn: id, StreamID: f.StreamID, Header: http.Header{}}
			for _, hf := range f.Fields {
				switch hf.Name {
				case ":method":
					r.Method = hf.Value
				case ":path":
					r.Path = hf.Value
				default:
					if hf.Name[0] != ':' {
						r.Header.Add(hf.Name, hf.Value)
					}
				}
			}
			c.mu.Lock()
			c.streams[f.StreamID] = r
			c.mu.Unlock()
			if f.StreamEnded() {
				c.complete(f.StreamID)
			}
		case *http2.DataFrame:
			c.mu.Lock()
			r := c.streams[f.StreamID]
			if r != nil {
				r.Body = append(r.Body, f.Data()...)
			}
			c.mu.Unlock()
			if n := f.Length; n > 0 {
				c.write(func() error {
					if err := c.fr.WriteWindowUpdate(0, n); err != nil {
						return err
					}
					return c.fr.WriteWindowUpdate(f.StreamID, n)
				})
			}
			if f.StreamEnded() {
				c.complete(f.StreamID)
			}
		case *http2.RSTStreamFrame:
			c.mu.Lock()
			delete(c.streams, f.StreamID)
			c.mu.Unlock()
		case *http2.GoAwayFrame:
			return
		}
	}
}

// write runs fn under the write lock; a failed write closes the connection.
func (c *h2Conn) write(fn func() error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := fn(); err != nil {
		_ = c.nc.Close()
	}
}

// complete hands a request whose END_STREAM arrived to the handler.
func (c *h2Conn) complete(id uint32) {
	c.mu.Lock()
	r := c.streams[id]
	delete(c.streams, id)
	if r == nil || (c.goneAway && id > c.lastOK) {
		c.mu.Unlock() // after our GOAWAY: not processed, as announced
		return
	}
	c.inflight++
	c.dispatched[id] = true
	c.mu.Unlock()
	c.s.mu.Lock()
	c.s.seen = append(c.s.seen, r)
	c.s.mu.Unlock()
	c.handlers.Add(1)
	go func() {
		defer c.handlers.Done()
		c.act(r, c.s.handle(r))
	}()
}

// act carries out a handler's decision.
func (c *h2Conn) act(r *h2Req, a h2Action) {
	switch a.Kind {
	case h2Respond:
		c.respond(r.StreamID, a)
	case h2ResetStream:
		c.write(func() error { return c.fr.WriteRSTStream(r.StreamID, a.Code) })
	case h2GoAway, h2GoAwayZero:
		c.mu.Lock()
		if !c.goneAway {
			c.goneAway = true
			if a.Kind == h2GoAway {
				// Every other stream handed to a handler may be at work:
				// the GOAWAY covers them, and only r is announced as
				// not processed (when it is the newest).
				for sid := range c.dispatched {
					if sid != r.StreamID {
						c.lastOK = max(c.lastOK, sid)
					}
				}
			}
		}
		last := c.lastOK
		c.mu.Unlock()
		c.write(func() error { return c.fr.WriteGoAway(last, http2.ErrCodeNo, nil) })
		if r.StreamID <= last {
			// The GOAWAY can't cover r (a newer stream is at work), and r
			// won't be processed: say so.
			c.write(func() error { return c.fr.WriteRSTStream(r.StreamID, http2.ErrCodeRefusedStream) })
		}
	case h2Ignore:
		// The stream stays open until the client gives up on it.
	}
	c.mu.Lock()
	c.inflight--
	c.mu.Unlock()
	// After a GOAWAY the connection is left for the client to close once
	// its streams are done: closing it here, with the client's last frames
	// unread, would make the kernel reset it and the client lose answers
	// already sent (a loss the load test would count against the SDK).
}

func (c *h2Conn) respond(id uint32, a h2Action) {
	status := a.Status
	if status == 0 {
		status = http.StatusOK
	}
	c.write(func() error {
		c.ebuf.Reset()
		_ = c.enc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(status)})
		for k, vs := range a.Header {
			for _, v := range vs {
				_ = c.enc.WriteField(hpack.HeaderField{Name: strings.ToLower(k), Value: v})
			}
		}
		_ = c.enc.WriteField(hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(a.Body))})
		if err := c.fr.WriteHeaders(http2.HeadersFrameParam{
			StreamID: id, BlockFragment: c.ebuf.Bytes(), EndHeaders: true, EndStream: len(a.Body) == 0,
		}); err != nil {
			return err
		}
		if len(a.Body) == 0 {
			return nil
		}
		return c.fr.WriteData(id, true, a.Body)
	})
}

// h2JSON is a 2xx (or any status) JSON answer.
func h2JSON(status int, body string) h2Action {
	return h2Action{Kind: h2Respond, Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

// h2Transport returns the SDK's own transport (transport.NewHTTPTransport)
// trusting s's certificate.
func (s *h2Server) h2Transport() *http.Transport {
	tr := transport.NewHTTPTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: s.Pool, MinVersion: tls.VersionTLS12}
	return tr
}

// h2Client returns a client over the SDK's own transport with all services
// on s; it is closed when the test ends.
func (s *h2Server) h2Client(t testing.TB, opts ...paragon.Option) *paragon.Client {
	t.Helper()
	_, pemBytes := signingKey(t)
	tr := s.h2Transport()
	t.Cleanup(tr.CloseIdleConnections)
	c, err := paragon.NewClient(testProject, append([]paragon.Option{
		paragon.WithSigningKey(pemBytes),
		paragon.WithHTTPClient(&http.Client{Transport: tr}),
		paragon.WithBaseURL(paragon.ServiceAPI, s.URL),
		paragon.WithBaseURL(paragon.ServiceEvents, s.URL),
		paragon.WithBaseURL(paragon.ServiceProxy, s.URL),
		fastRetries,
	}, opts...)...)
	require.NoError(t, err)
	return c
}
