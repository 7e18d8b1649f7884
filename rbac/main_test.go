package rbac_test

import (
	"testing"

	"github.com/aigov/aigov/internal/testenv"
)

func TestMain(m *testing.M) { testenv.RunMain(m) }
