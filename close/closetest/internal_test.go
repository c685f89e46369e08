package closetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	for cents, want := range map[int64]string{
		0: "$0", 5: "$0.05", 500: "$5", 1250000: "$12,500", 119760: "$1,197.60",
		123456789: "$1,234,567.89", -2500: "-$25",
	} {
		assert.Equal(t, want, formatMoney(cents), cents)
	}
	assert.Equal(t, "$5 monthly", formatValue(500, "monthly"))
	assert.Equal(t, "$63,890", formatValue(6389000, "one_time"))
}
