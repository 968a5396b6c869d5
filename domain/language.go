package domain

// Language is a language the web pages speak.
type Language string

// The languages of the web pages. English is the default.
const (
	English Language = "en"
	French  Language = "fr"
)

// Languages lists every language, the default first.
var Languages = []Language{English, French}

// Valid reports whether l is a language of the pages.
func (l Language) Valid() bool { return l == English || l == French }
