package domain

import (
	"slices"
	"testing"
	"time"
)

// TestAssessmentReminders works the stages by hand for an assessment due
// on 31 March 2027 whose campaign opened on 1 March.
func TestAssessmentReminders(t *testing.T) {
	due := mustDate("2027-03-31")
	opened := mustDate("2027-03-01")
	for _, c := range []struct {
		day  string
		want []NoticeKind
	}{
		{"2027-03-16", nil},
		{"2027-03-17", []NoticeKind{NoticeDueIn14Days}}, // 14 days before
		{"2027-03-19", []NoticeKind{NoticeDueIn14Days}}, // two days late, still sent (once, by its key)
		{"2027-03-20", nil},                             // three days late: too late to say "in two weeks"
		{"2027-03-28", []NoticeKind{NoticeDueIn3Days}},
		{"2027-03-30", []NoticeKind{NoticeDueIn3Days}},
		{"2027-03-31", []NoticeKind{NoticeDueToday}},
		{"2027-04-01", []NoticeKind{NoticeOverdue}},
		{"2027-04-06", []NoticeKind{NoticeOverdue}},
		{"2027-04-07", []NoticeKind{NoticeOverdue, NoticeOverdueEscalated}},
		{"2027-06-01", []NoticeKind{NoticeOverdue, NoticeOverdueEscalated}},
	} {
		if got := AssessmentReminders(opened, due, mustDate(c.day)); !slices.Equal(got, c.want) {
			t.Errorf("on %s: %v, want %v", c.day, got, c.want)
		}
	}
	// A campaign opened ten days before its due date has no two-week reminder.
	late := mustDate("2027-03-21")
	if got := AssessmentReminders(late, due, mustDate("2027-03-21")); len(got) != 0 {
		t.Errorf("opened ten days before: %v", got)
	}
}

func TestFindingReminders(t *testing.T) {
	due := mustDate("2027-05-10")
	for day, want := range map[string][]NoticeKind{"2027-05-09": nil, "2027-05-10": {NoticeFindingDue},
		"2027-05-11": {NoticeFindingOverdue}} {
		if got := FindingReminders(due, mustDate(day)); !slices.Equal(got, want) {
			t.Errorf("on %s: %v, want %v", day, got, want)
		}
	}
}

func TestMailRetryDelayGrows(t *testing.T) {
	var total time.Duration
	for a := 1; a < MailAttempts; a++ {
		if a > 1 && MailRetryDelay(a) < MailRetryDelay(a-1) {
			t.Errorf("attempt %d waits less than the one before", a)
		}
		total += MailRetryDelay(a)
	}
	if total < 12*time.Hour || total > 48*time.Hour {
		t.Errorf("the retries span %s", total)
	}
}

// TestNoticeRules holds every kind to a rule that can reach someone.
func TestNoticeRules(t *testing.T) {
	for _, r := range NoticeRules() {
		reached := r.Audience == AudienceUser
		for _, role := range Roles {
			reached = reached || r.Audience.Reaches(role)
		}
		if !reached {
			t.Errorf("%s reaches nobody", r.Kind)
		}
		if (r.Link != "") && !(r.EmailOnly && r.Mandatory && r.Audience == AudienceUser) {
			t.Errorf("%s carries a link: it must go by e-mail only, always, to its one user", r.Kind)
		}
	}
}
