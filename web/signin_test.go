package web_test

import (
	"net/http"
	"testing"
)

// TestSignInSaysWhatHappened: a wrong password says so next to the field;
// after several, the page says answers are slowed, then that sign-in is
// locked — without ever telling whether the account exists.
func TestSignInSaysWhatHappened(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.browser(t)
	email := "p07-editor" + demoDomain
	first := b.signIn(email, "not the password at all")
	first.want(t, http.StatusUnauthorized, "/signin", "The email, password or code is not right.")
	first.lacks(t, "slowed down")
	var last answer
	for i := 0; i < 3; i++ {
		last = b.signIn(email, "not the password at all")
	}
	last.want(t, http.StatusUnauthorized, "/signin", "answers are slowed down")
	for i := 0; i < 3; i++ {
		last = b.signIn(email, "not the password at all")
	}
	last.want(t, http.StatusUnauthorized, "/signin", "Sign-in is locked for a while")
	unknown := s.browser(t).signIn("nobody"+demoDomain, "not the password at all")
	unknown.want(t, http.StatusUnauthorized, "/signin", "The email, password or code is not right.")
}
