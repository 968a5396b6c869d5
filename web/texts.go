package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"assure/domain"
)

// The message catalogs: English is the key of every message, and each other
// language has a folder of files (one per part of the pages) mapping those
// keys to its text. A template holds no user-visible text of its own; it
// asks for a message by its English key.
//
//go:embed i18n
var catalogFiles embed.FS

// texts holds the message catalogs of every language the pages speak.
type texts struct {
	catalog *catalog.Builder
	keys    map[domain.Language]map[string]bool // the keys each file translates
	matcher language.Matcher
}

var tags = map[domain.Language]language.Tag{domain.English: language.English, domain.French: language.French}

func loadTexts() (*texts, error) {
	t := &texts{catalog: catalog.NewBuilder(catalog.Fallback(language.English)), keys: map[domain.Language]map[string]bool{},
		matcher: language.NewMatcher([]language.Tag{language.English, language.French})}
	for _, l := range domain.Languages {
		if l == domain.English {
			continue
		}
		files, err := fs.Glob(catalogFiles, "i18n/"+string(l)+"/*.json")
		if err != nil {
			return nil, err
		}
		t.keys[l] = map[string]bool{}
		for _, f := range files {
			b, err := catalogFiles.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for k, v := range m {
				if t.keys[l][k] {
					return nil, fmt.Errorf("%s: %q is translated twice", f, k)
				}
				if err := t.catalog.SetString(tags[l], k, v); err != nil {
					return nil, fmt.Errorf("%s: %q: %w", f, k, err)
				}
				t.keys[l][k] = true
			}
		}
	}
	return t, nil
}

// choose picks the language of a request: the user's own setting, else the
// browser's Accept-Language, else English.
func (t *texts) choose(r *http.Request, setting string) domain.Language {
	if l := domain.Language(setting); l.Valid() {
		return l
	}
	if c, err := r.Cookie(languageCookie); err == nil && domain.Language(c.Value).Valid() {
		return domain.Language(c.Value)
	}
	prefs, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(prefs) == 0 {
		return domain.English
	}
	_, i, _ := t.matcher.Match(prefs...)
	return domain.Languages[i]
}

// printer formats messages, numbers and dates in one language.
type printer struct {
	lang domain.Language
	p    *message.Printer
}

func (t *texts) printer(l domain.Language) printer {
	return printer{lang: l, p: message.NewPrinter(tags[l], message.Catalog(t.catalog))}
}

// T returns the message whose English text is key, in the printer's
// language, with args formatted into it.
func (p printer) T(key string, args ...any) string { return p.p.Sprintf(key, args...) }

// Say returns a message that came from below (a domain rule's words) in the
// printer's language when the catalogs know it, and as it is otherwise.
func (p printer) Say(s string) string { return p.p.Sprintf(strings.ReplaceAll(s, "%", "%%")) }

// Number formats an integer for the language (1,234 or 1 234).
func (p printer) Number(n int) string { return p.p.Sprintf("%d", n) }

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December"}

// Date formats a date for the language: 2 March 2027, 2 mars 2027.
func (p printer) Date(d domain.Date) string {
	t := d.Time()
	return fmt.Sprintf("%d %s %d", t.Day(), p.T(months[t.Month()-1]), t.Year())
}

// Time formats an instant, in UTC, for the language.
func (p printer) Time(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s %02d:%02d UTC", p.Date(domain.DateOf(t)), t.Hour(), t.Minute())
}

// Lang is the printer's language code, for the html lang attribute.
func (p printer) Lang() string { return string(p.lang) }

var names = map[string]string{
	"draft": "Draft", "submitted": "Submitted", "in_review": "In review", "changes_requested": "Changes requested",
	"approved": "Approved", "rejected": "Rejected",
	"implemented": "Implemented", "partial": "Partially implemented", "not_implemented": "Not implemented",
	"not_applicable": "Not applicable",
	"accepted":       "Accepted", "needs_info": "Needs information",
	"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical",
	"open": "Open", "in_progress": "In progress", "resolved": "Resolved", "verified": "Verified",
	"not_started": "Not started",
	"closed":      "Closed",
}

// Name returns the name of a state, answer, verdict or severity code in the
// printer's language.
func (p printer) Name(code any) string {
	s := fmt.Sprint(code)
	if n, ok := names[s]; ok {
		return p.T(n)
	}
	return s
}
