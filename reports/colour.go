package reports

// parseRGB reads a "#rrggbb" colour (either case) into its red, green and
// blue values; ok is false, and the colour black, for anything else. Page
// drawing sets colours for every row, so this is plain byte work, not fmt.
func parseRGB(hex string) (rgb [3]int, ok bool) {
	if len(hex) != 7 || hex[0] != '#' {
		return rgb, false
	}
	for i := range rgb {
		hi, ok1 := hexDigit(hex[1+2*i])
		lo, ok2 := hexDigit(hex[2+2*i])
		if !ok1 || !ok2 {
			return [3]int{}, false
		}
		rgb[i] = hi<<4 | lo
	}
	return rgb, true
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
