System.print(42) // expect: 42
System.print(3.25) // expect: 3.25
System.print(0xff) // expect: 255
System.print(0xDEADBEEF) // expect: 3735928559
System.print(1e3) // expect: 1000
System.print(2.5e-3) // expect: 0.0025
System.print(1.5E2) // expect: 150
System.print(-7) // expect: -7
System.print(0) // expect: 0
System.print(007) // expect: 7
System.print(1.0) // expect: 1
System.print(10000000000000) // expect: 10000000000000
// Numbers print with at most 14 significant digits.
System.print(100000000000000) // expect: 1e+14
System.print(123456789012345) // expect: 1.2345678901234e+14
System.print(12345678901234567890) // expect: 1.2345678901235e+19
