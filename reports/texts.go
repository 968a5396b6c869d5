package reports

import (
	"embed"
	"sync"

	"assure/domain"
	"assure/texts"
)

// The reports' words: English is the key, each other language has its files
// under i18n/<language>/ (pdf.json, xlsx.json, shared.json, benchmark.json), on
// top of the common words of package texts.
//
//go:embed i18n
var catalogFiles embed.FS

var (
	catalogOnce sync.Once
	catalog     *texts.Catalog
	catalogErr  error
)

// loadCatalog reads the reports' catalogs once.
func loadCatalog() (*texts.Catalog, error) {
	catalogOnce.Do(func() { catalog, catalogErr = texts.Load(catalogFiles, "i18n") })
	return catalog, catalogErr
}

// printerFor returns a printer of l (English when l is empty).
func printerFor(l domain.Language) (texts.Printer, error) {
	c, err := loadCatalog()
	if err != nil {
		return texts.Printer{}, err
	}
	return c.Printer(l), nil
}
