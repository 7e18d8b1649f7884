// Package quota answers how many GPUs, CPUs and bytes each team uses and has
// left, whether a new pod would be admitted by LimitRanger and ResourceQuota
// admission, and how many more pods of a shape fit.
//
// The calculator is being built (see the project's open issues); today the
// package holds only this documentation.
package quota
