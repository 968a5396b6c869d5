// Package ical writes iCalendar documents (RFC 5545) of all-day and timed
// events, such as a calendar application subscribes to: content lines ended
// by CRLF and folded at 75 octets, TEXT values escaped, dates as DATE values
// and instants in UTC. It knows nothing of Assure's objects.
package ical

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is one iCalendar object: a VCALENDAR of events.
type Calendar struct {
	ProdID string // the product that made it, as "-//Company//Product//EN"
	Name   string // the calendar's name, shown by applications
	// Refresh is how often applications should read the calendar again;
	// 0 says nothing.
	Refresh time.Duration
	Events  []Event
}

// Event is one VEVENT.
type Event struct {
	UID   string    // unique and stable: the same event keeps it every time
	Stamp time.Time // when this description of the event was made (DTSTAMP)
	// Start is the event's day when AllDay (its date is read in UTC), or
	// its instant.
	Start       time.Time
	AllDay      bool
	Summary     string
	Description string
	URL         string // an absolute URI of the event's page
	Categories  []string
}

// lineLimit is the most octets of a content line, CRLF excluded, before
// it is folded.
const lineLimit = 75

// Write writes the calendar to w.
func (c Calendar) Write(w io.Writer) error {
	b := bufio.NewWriter(w)
	l := lines{w: b}
	l.line("BEGIN", "", "VCALENDAR")
	l.line("VERSION", "", "2.0")
	l.line("PRODID", "", Text(c.ProdID))
	l.line("CALSCALE", "", "GREGORIAN")
	l.line("METHOD", "", "PUBLISH")
	if c.Name != "" {
		l.line("NAME", "", Text(c.Name))
		l.line("X-WR-CALNAME", "", Text(c.Name))
	}
	if c.Refresh > 0 {
		l.line("REFRESH-INTERVAL", ";VALUE=DURATION", duration(c.Refresh))
		l.line("X-PUBLISHED-TTL", "", duration(c.Refresh))
	}
	for _, e := range c.Events {
		l.line("BEGIN", "", "VEVENT")
		l.line("UID", "", Text(e.UID))
		l.line("DTSTAMP", "", utc(e.Stamp))
		if e.AllDay {
			l.line("DTSTART", ";VALUE=DATE", date(e.Start))
			l.line("DTEND", ";VALUE=DATE", date(e.Start.UTC().AddDate(0, 0, 1)))
		} else {
			l.line("DTSTART", "", utc(e.Start))
		}
		l.line("SUMMARY", "", Text(e.Summary))
		if e.Description != "" {
			l.line("DESCRIPTION", "", Text(e.Description))
		}
		if u := uri(e.URL); u != "" {
			l.line("URL", "", u)
		}
		if len(e.Categories) > 0 {
			cats := make([]string, len(e.Categories))
			for i, c := range e.Categories {
				cats[i] = Text(c)
			}
			l.line("CATEGORIES", "", strings.Join(cats, ","))
		}
		l.line("TRANSP", "", "TRANSPARENT") // a deadline does not make anyone busy
		l.line("END", "", "VEVENT")
	}
	l.line("END", "", "VCALENDAR")
	if l.err != nil {
		return l.err
	}
	return b.Flush()
}

// lines writes content lines, remembering the first error.
type lines struct {
	w   *bufio.Writer
	err error
}

// line writes NAME PARAMS ":" VALUE, folded: a line longer than lineLimit
// octets goes on in lines that start with one space, each at most lineLimit
// octets with the space, cut only between characters, never inside one.
func (l *lines) line(name, params, value string) {
	if l.err != nil {
		return
	}
	rest := name + params + ":" + value
	limit := lineLimit
	for {
		if len(rest) <= limit {
			_, l.err = l.w.WriteString(rest + "\r\n")
			return
		}
		cut := limit
		for cut > 0 && !utf8.RuneStart(rest[cut]) {
			cut--
		}
		if _, l.err = l.w.WriteString(rest[:cut] + "\r\n "); l.err != nil {
			return
		}
		rest = rest[cut:]
		limit = lineLimit - 1 // the space that starts a folded line counts
	}
}

// Text escapes s as a TEXT value: backslashes, semicolons and commas are
// escaped, line breaks become \n, and other control characters, which TEXT
// may not hold, are dropped.
func Text(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
		case r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// uri keeps a URI value only when it holds no control character or space,
// which no URI may.
func uri(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return ""
	}
	return s
}

func date(t time.Time) string { return t.UTC().Format("20060102") }

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// duration renders a positive duration as an RFC 5545 DURATION in whole
// minutes (at least one).
func duration(d time.Duration) string {
	m := max(1, int(d/time.Minute))
	switch {
	case m%(24*60) == 0:
		return fmt.Sprintf("P%dD", m/(24*60))
	case m%60 == 0:
		return fmt.Sprintf("PT%dH", m/60)
	}
	return fmt.Sprintf("PT%dM", m)
}
