-- Every target has one city row, and its numerator and denominator are the sums over
-- the unit rows (each person of the population belongs to exactly one unit).
{{ config(meta={'dagster': {'ref': {'name': 'mart_target_attainment'}}}) }}
with

city as (

    select
        target_code,
        numerator,
        denominator
    from {{ ref('mart_target_attainment') }}
    where scope = 'city'

),

units as (

    select
        target_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from {{ ref('mart_target_attainment') }}
    where scope = 'unit'
    group by target_code

),

targets as (

    select target_code from {{ ref('stg_reference__targets') }}

)

select targets.target_code
from targets
left join city
    on targets.target_code = city.target_code
left join units
    on targets.target_code = units.target_code
where
    city.target_code is null
    or city.numerator <> coalesce(units.numerator, 0)
    or city.denominator <> coalesce(units.denominator, 0)
