package store_test

import (
	"context"
	"strings"
	"testing"

	"assure/store"
	"assure/store/storetest"
)

// TestOpenServing: a server keeps up to ServeConns connections unless its
// database URL names its own pool size.
func TestOpenServing(t *testing.T) {
	t.Parallel()
	_, url := storetest.New(t)
	ctx := context.Background()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	for _, c := range []struct {
		url  string
		want int32
	}{{url, store.ServeConns}, {url + sep + "pool_max_conns=3", 3}} {
		db, err := store.OpenServing(ctx, c.url, store.ServeConns)
		if err != nil {
			t.Fatal(err)
		}
		got := db.Pool().Config().MaxConns
		db.Close()
		if got != c.want {
			t.Errorf("OpenServing(%s) keeps %d connections, want %d", c.url, got, c.want)
		}
	}
}
