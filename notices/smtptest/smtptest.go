// Package smtptest runs a real SMTP server inside a test's process and keeps
// every message it accepts, so tests check the e-mails Assure sends as a
// mail system would receive them.
package smtptest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"assure/notices"
)

// Message is one accepted message.
type Message struct {
	From    string   // the envelope sender
	To      []string // the envelope recipients
	Raw     []byte
	Header  mail.Header
	Subject string // decoded
	Body    string // decoded text
}

// MessageID is the message's Message-ID header.
func (m Message) MessageID() string { return m.Header.Get("Message-Id") }

// Server is an SMTP server on 127.0.0.1 that records what it accepts.
type Server struct {
	Addr string

	mu       sync.Mutex
	messages []Message
	refuse   int // refuse this many more messages with a temporary error
	arrived  chan struct{}
	server   *smtp.Server
}

// Start starts a server for the test, closed at its end.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{arrived: make(chan struct{}, 1)}
	s.server = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.server.Domain = "smtptest.invalid"
	s.server.AllowInsecureAuth = true
	s.server.ReadTimeout, s.server.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go s.server.Serve(ln)
	t.Cleanup(func() { s.server.Close() })
	return s
}

// SMTP is how Assure reaches this server: no TLS, no authentication.
func (s *Server) SMTP() notices.SMTP {
	return notices.SMTP{Addr: s.Addr, From: mail.Address{Name: "Assure", Address: "assure@regulator.test"},
		Security: "none", Timeout: 5 * time.Second}
}

// RefuseNext makes the server answer the next n messages with a temporary
// failure (451) after their content: they must be tried again.
func (s *Server) RefuseNext(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// Messages returns every message accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// To returns the messages accepted for address.
func (s *Server) To(address string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, address) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Wait waits until at least n messages have arrived, failing the test after
// timeout, and returns them all.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if list := s.Messages(); len(list) >= n {
			return list
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("smtptest: %d messages arrived, want %d", len(s.Messages()), n)
		}
	}
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (c *session) Reset()        { c.from, c.to = "", nil }
func (c *session) Logout() error { return nil }

func (c *session) Mail(from string, _ *smtp.MailOptions) error {
	c.from = from
	return nil
}

func (c *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	c.to = append(c.to, to)
	return nil
}

func (c *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.refuse > 0 {
		c.s.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m := Message{From: c.from, To: c.to, Raw: raw}
	if parsed, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = parsed.Header
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		body := io.Reader(parsed.Body)
		if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		text, _ := io.ReadAll(body)
		m.Body = strings.ReplaceAll(string(text), "\r\n", "\n")
	} else {
		return errors.New("smtptest: unreadable message: " + err.Error())
	}
	c.s.messages = append(c.s.messages, m)
	select {
	case c.s.arrived <- struct{}{}:
	default:
	}
	return nil
}
