# The "200 MB shape" of the snapshot benchmarks, built cold: a million
# two-element lists, each holding a string of about 106 bytes and a number.
data = []
pad = "x" * 100
for i in range(1000000):
    data.append([pad + str(i), i])
print(len(data))
print(len(data[999999][0]))
