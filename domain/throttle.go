package domain

import "time"

// Login throttling: failures are counted per account and per address within
// a window. Past a threshold each answer is slowed; past a limit the key is
// locked for a while, whatever the password. Addresses get a higher limit
// because many people may share one.
type ThrottleRule struct {
	Window    time.Duration // failures older than this are forgotten
	SlowAfter int           // failures after which answers are delayed
	LockAfter int           // failures after which the key is locked
	LockFor   time.Duration
}

// Throttle rules for accounts and addresses.
var (
	AccountThrottle = ThrottleRule{Window: 15 * time.Minute, SlowAfter: 3, LockAfter: 5, LockFor: 15 * time.Minute}
	AddressThrottle = ThrottleRule{Window: 15 * time.Minute, SlowAfter: 10, LockAfter: 30, LockFor: 15 * time.Minute}
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
