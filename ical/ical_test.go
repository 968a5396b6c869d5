package ical

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                   "plain",
		"a, b; c":                 `a\, b\; c`,
		`back\slash`:              `back\\slash`,
		"two\r\nlines\nand\rmore": `two\nlines\nand\nmore`,
		"bell\x07 and tab\t":      "bell and tab\t",
		"Évaluation · 2027":       "Évaluation · 2027",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFolding writes lines of every length around the limit, in ASCII and
// in characters of two, three and four octets: each physical line holds at
// most 75 octets, ends with CRLF, is valid UTF-8 on its own (no character
// is cut), and unfolding gives the value back.
func TestFolding(t *testing.T) {
	for _, unit := range []string{"a", "é", "€", "𝄞"} {
		for n := 60; n < 200; n++ {
			value := ""
			for len(value) < n {
				value += unit
			}
			var b bytes.Buffer
			l := lines{w: bufio.NewWriter(&b)}
			l.line("SUMMARY", "", value)
			l.w.Flush()
			raw := b.String()
			if !strings.HasSuffix(raw, "\r\n") {
				t.Fatalf("%q: no CRLF at the end", raw)
			}
			physical := strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n")
			for i, p := range physical {
				if len(p) > lineLimit {
					t.Errorf("unit %q n %d: line %d has %d octets", unit, n, i, len(p))
				}
				if !utf8.ValidString(p) {
					t.Errorf("unit %q n %d: line %d cuts a character: %q", unit, n, i, p)
				}
				if i > 0 && !strings.HasPrefix(p, " ") {
					t.Errorf("unit %q n %d: folded line %d does not start with one space: %q", unit, n, i, p)
				}
				if strings.ContainsAny(p, "\r\n") {
					t.Errorf("a bare line break in %q", p)
				}
			}
			unfolded := strings.ReplaceAll(strings.TrimSuffix(raw, "\r\n"), "\r\n ", "")
			if unfolded != "SUMMARY:"+value {
				t.Fatalf("unit %q n %d: unfolded %q", unit, n, unfolded)
			}
		}
	}
}

func TestCalendar(t *testing.T) {
	stamp := time.Date(2027, 3, 1, 8, 30, 0, 0, time.FixedZone("WAT", 3600))
	c := Calendar{ProdID: "-//Assure//Test//EN", Name: "Obligations", Refresh: time.Hour, Events: []Event{
		{UID: "a@test", Stamp: stamp, Start: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), AllDay: true,
			Summary: "Filing due: 2027, annual; review", URL: "https://assure.test/campaigns/1", Categories: []string{"Due", "a,b"}},
		{UID: "b@test", Stamp: stamp, Start: time.Date(2027, 4, 1, 16, 0, 0, 0, time.FixedZone("EAT", 3*3600)),
			Summary: "Report", URL: "not a uri"},
	}}
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Assure//Test//EN\r\n",
		"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n", "DTSTAMP:20270301T073000Z\r\n",
		"DTSTART;VALUE=DATE:20270331\r\nDTEND;VALUE=DATE:20270401\r\n", `SUMMARY:Filing due: 2027\, annual\; review` + "\r\n",
		"CATEGORIES:Due,a\\,b\r\n", "DTSTART:20270401T130000Z\r\n", "END:VEVENT\r\nEND:VCALENDAR\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the calendar lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not a uri") {
		t.Error("a URL with spaces was written")
	}
	if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Error("a line ends without CR")
	}
}
