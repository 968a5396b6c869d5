package domain

import "time"

// ThrottleRule is how failed attempts at a secret are counted on one key
// within a window. Past SlowAfter each wrong answer is slowed; past
// LockAfter the key is locked for LockFor, whatever the secret. A rule with
// LockAfter 0 never locks: it only slows.
type ThrottleRule struct {
	Window    time.Duration // failures older than this are forgotten
	SlowAfter int           // failures after which answers are delayed
	LockAfter int           // failures after which the key is locked; 0: never
	LockFor   time.Duration
}

// Locks reports whether failures reach the rule's lock.
func (r ThrottleRule) Locks(failures int) bool { return r.LockAfter > 0 && failures >= r.LockAfter }

// The sign-in policy. A lock must never let a stranger keep the owner out,
// so no counter that anyone anywhere can fill refuses the right password
// from a clean address:
//
//   - AccountAddressThrottle counts the failures on one account from one
//     address, and locks that pair only: the guesser's address is shut out
//     of the account while the owner signs in from theirs.
//   - AddressThrottle counts every failure from one address, whatever the
//     account, and locks the address; the limit is high because many people
//     may share one address.
//   - AccountThrottle counts the failures on one account from every address.
//     It never locks; past its threshold each wrong answer on the account is
//     held back longer, which slows a guesser spread over many addresses.
//
// SecretThrottle counts, per account, the wrong current passwords given to
// change a password and the wrong codes given to enrol or remove a second
// factor; each has its own counter, apart from sign-in's, so a wrong entry
// there never counts against signing in. An administrator may clear every
// counter of an account (an unlock).
var (
	AccountAddressThrottle = ThrottleRule{Window: 15 * time.Minute, SlowAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute}
	AddressThrottle        = ThrottleRule{Window: 15 * time.Minute, SlowAfter: 10, LockAfter: 30, LockFor: 15 * time.Minute}
	AccountThrottle        = ThrottleRule{Window: 15 * time.Minute, SlowAfter: 10}
	SecretThrottle         = ThrottleRule{Window: 15 * time.Minute, SlowAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute}
)

// Delay returns how long to hold back the answer after the given number of
// failures: nothing up to SlowAfter, then one more second per failure, up to 5 s.
func (r ThrottleRule) Delay(failures int) time.Duration {
	if failures <= r.SlowAfter {
		return 0
	}
	d := time.Duration(failures-r.SlowAfter) * time.Second
	return min(d, 5*time.Second)
}

// Forgotten passwords and single-use links are reached without signing in,
// so their counters guard them instead of an account's:
//
//   - ResetAccountThrottle counts the resets asked for one email address,
//     known or not. Past its limit a request is answered as any other but
//     sends nothing: nobody can flood a mailbox, and the answer still does
//     not tell whether the account exists.
//   - ResetAddressThrottle counts the resets asked from one network address
//     and locks it.
//   - LinkThrottle counts the wrong, spent or expired links tried from one
//     network address, slows and then locks it.
var (
	ResetAccountThrottle = ThrottleRule{Window: time.Hour, LockAfter: 3, LockFor: time.Hour}
	ResetAddressThrottle = ThrottleRule{Window: 15 * time.Minute, LockAfter: 10, LockFor: 15 * time.Minute}
	LinkThrottle         = ThrottleRule{Window: 15 * time.Minute, SlowAfter: 3, LockAfter: 10, LockFor: 15 * time.Minute}
)
