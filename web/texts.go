package web

import (
	"embed"
	"net/http"

	"golang.org/x/text/language"

	"assure/domain"
	txt "assure/texts"
)

// The pages' message catalogs (see package texts): one file per part of the
// pages under i18n/<language>/. A template holds no user-visible text of its
// own; it asks for a message by its English key.
//
//go:embed i18n
var catalogFiles embed.FS

// texts holds the message catalogs of every language the pages speak.
type texts struct {
	*txt.Catalog
	matcher language.Matcher
}

func loadTexts() (*texts, error) {
	c, err := txt.Load(catalogFiles, "i18n")
	if err != nil {
		return nil, err
	}
	return &texts{Catalog: c, matcher: language.NewMatcher([]language.Tag{language.English, language.French})}, nil
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
type printer = txt.Printer

func (t *texts) printer(l domain.Language) printer { return t.Printer(l) }
