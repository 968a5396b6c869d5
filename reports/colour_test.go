package reports

import "testing"

func TestParseRGB(t *testing.T) {
	for _, c := range []struct {
		hex string
		rgb [3]int
		ok  bool
	}{
		{"#000000", [3]int{0, 0, 0}, true},
		{"#1d2733", [3]int{0x1d, 0x27, 0x33}, true},
		{"#FFFFFF", [3]int{255, 255, 255}, true},
		{"#9b1C1c", [3]int{0x9b, 0x1c, 0x1c}, true},
		{"#fff", [3]int{}, false},
		{"1d2733", [3]int{}, false},
		{"#1d27zz", [3]int{}, false},
		{"", [3]int{}, false},
	} {
		rgb, ok := parseRGB(c.hex)
		if rgb != c.rgb || ok != c.ok {
			t.Errorf("parseRGB(%q) = %v, %v; want %v, %v", c.hex, rgb, ok, c.rgb, c.ok)
		}
	}
}
