package storetest

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"assure/store"
)

// Outage is a database reached through a TCP relay the test can cut, so the
// code under test meets a real outage: pooled connections are closed by the
// other side and new ones are refused.
type Outage struct {
	DB *store.DB

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

// WithOutage opens a second pool on the database at dbURL through a relay.
// Cut takes the database away.
func WithOutage(t testing.TB, dbURL string) *Outage {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &Outage{ln: ln}
	go o.relay(target)
	u.Host = ln.Addr().String()
	db, err := store.Open(context.Background(), u.String())
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	o.DB = db
	t.Cleanup(func() {
		o.Cut()
		db.Close()
	})
	return o
}

func (o *Outage) relay(target string) {
	for {
		c, err := o.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		o.mu.Lock()
		o.conns = append(o.conns, c, s)
		o.mu.Unlock()
		go func() { io.Copy(s, c); s.Close() }()
		go func() { io.Copy(c, s); c.Close() }()
	}
}

// Cut closes every relayed connection and stops listening: the address then
// refuses connections, as a database that is down does.
func (o *Outage) Cut() {
	o.ln.Close()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, c := range o.conns {
		c.Close()
	}
	o.conns = nil
}
