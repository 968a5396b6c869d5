package app

import (
	"io"
	"os"
	"regexp"
)

// File is a finished export. It is made whole into a temporary file before
// anything is sent, so a failure is an error rather than half a download, and
// its export is audited before the face streams it. The face must Close it.
type File struct {
	Name      string // the file name to offer
	MediaType string
	Size      int64
	f         *os.File
}

// WriteTo streams the file to w.
func (f *File) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, f.f) }

// Close removes the temporary file.
func (f *File) Close() error {
	err := f.f.Close()
	os.Remove(f.f.Name())
	return err
}

// mediaTypes are the types of the files Assure makes, by format.
var mediaTypes = map[string]string{
	"pdf":  "application/pdf",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
	"zip":  "application/zip",

	FormatOSCALResults: "application/json",
	FormatOSCALPOAM:    "application/json",
}

// MediaType returns the media type of files of format (pdf, xlsx or csv).
func MediaType(format string) string { return mediaTypes[format] }

// spool makes a file with write, then records its export with record, and
// returns it ready to stream.
func spool(name, format string, write func(w io.Writer) error, record func() error) (*File, error) {
	tmp, err := os.CreateTemp("", "assure-export-*")
	if err != nil {
		return nil, err
	}
	f := &File{Name: name, MediaType: mediaTypes[format], f: tmp}
	if err := write(tmp); err != nil {
		f.Close()
		return nil, err
	}
	if err := record(); err != nil {
		f.Close()
		return nil, err
	}
	if f.Size, err = tmp.Seek(0, io.SeekCurrent); err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

var unsafeSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes a name safe for a file name: lower-case ASCII letters, digits
// and dashes, at most 40 characters.
func slug(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case r < 128:
			b = append(b, byte(r))
		default:
			b = append(b, '-')
		}
	}
	out := unsafeSlug.ReplaceAllString(string(b), "-")
	if len(out) > 40 {
		out = out[:40]
	}
	if out == "" || out == "-" {
		return "report"
	}
	return out
}
