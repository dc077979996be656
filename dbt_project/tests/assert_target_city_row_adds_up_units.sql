-- Every target whose term has started has one city row. For cadre populations its
-- numerator and denominator are the sums over the unit rows (each person is in one unit
-- on the reference date); for quy_hoach a person planned by several units is in each of
-- them and once in the city, so the city row holds at most the units' sums and at least
-- the largest unit's denominator (a verdict on an earlier date can differ, so no such
-- floor holds for the numerator).
{{ config(meta={'dagster': {'ref': {'name': 'mart_target_attainment'}}}) }}
with

city as (

    select
        target_code,
        population,
        numerator,
        denominator
    from {{ ref('mart_target_attainment') }}
    where scope = 'city'

),

units as (

    select
        target_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        max(denominator) as largest_denominator
    from {{ ref('mart_target_attainment') }}
    where scope = 'unit'
    group by target_code

),

targets as (

    select target_code from {{ ref('int_targets_dated') }}

)

select targets.target_code
from targets
left join city
    on targets.target_code = city.target_code
left join units
    on targets.target_code = units.target_code
where
    city.target_code is null
    or (
        city.population <> 'quy_hoach'
        and (
            city.numerator <> coalesce(units.numerator, 0)
            or city.denominator <> coalesce(units.denominator, 0)
        )
    )
    or (
        city.population = 'quy_hoach'
        and (
            city.numerator > coalesce(units.numerator, 0)
            or city.denominator > coalesce(units.denominator, 0)
            or city.denominator < coalesce(units.largest_denominator, 0)
        )
    )
