-- mart_target_attainment: numerator within denominator, actual = numerator / denominator,
-- gap = actual - threshold, and met applies the comparator (a gap of 0 under '>' misses).
select *
from {{ ref('mart_target_attainment') }}
where
    numerator > denominator
    or (denominator > 0 and abs(actual_value - cast(numerator as double) / denominator) > 1e-12)
    or abs(gap - (actual_value - threshold)) > 1e-12
    or (comparator = '>=' and met <> (gap >= 0))
    or (comparator = '>' and met <> (gap > 0))
    or (actual_value is null and met is not null)
