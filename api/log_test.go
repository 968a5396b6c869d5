package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"assure/api"
	"assure/app"
	"assure/policies"
	"assure/store/storetest"
)

// lockedBuffer is a log's output that the server's goroutines may write
// while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTheRequestLogKeepsNoFeedSecret reads a calendar feed's address: the
// request log names the path of every request, and a feed's path is its
// secret, so the line must not carry it.
func TestTheRequestLogKeepsNoFeedSecret(t *testing.T) {
	t.Parallel()
	db, _ := storetest.New(t)
	authz, err := policies.New()
	if err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	ts := httptest.NewServer(api.New(app.New(db, authz, log, app.Options{}), log, api.Options{}).Handler())
	t.Cleanup(ts.Close)

	const secret = "s3cr3t-feed-address-0123456789abcdef"
	res, err := http.Get(ts.URL + app.FeedPath(secret))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = http.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	logged := out.String()
	if strings.Contains(logged, secret) {
		t.Errorf("the request log holds a feed's secret:\n%s", logged)
	}
	if !strings.Contains(logged, "path=/calendar/") || !strings.Contains(logged, "path=/healthz") {
		t.Errorf("the request log does not name the requests' paths:\n%s", logged)
	}
}
