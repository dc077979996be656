with

targets as (

    select * from {{ ref('int_targets_dated') }}

),

members as (

    select * from {{ ref('int_target_members_assessed') }}

),

-- One row per unit with at least one person in the target's population.
unit_scores as (

    select
        target_code,
        'unit' as scope,
        unit_code,
        sum(case when meets_metric then 1 else 0 end) as numerator,
        count(meets_metric) as denominator
    from members
    where scope = 'unit'
    group by
        target_code,
        unit_code

),

-- One row per target whose term has started, even when its population is empty.
city_scores as (

    select
        targets.target_code,
        'city' as scope,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        sum(case when members.meets_metric then 1 else 0 end) as numerator,
        count(members.meets_metric) as denominator
    from targets
    left join members
        on targets.target_code = members.target_code
            and members.scope = 'city'
    group by targets.target_code

),

scores as (

    select * from city_scores
    union all
    select * from unit_scores

),

measured as (

    select
        scores.target_code,
        targets.term_code,
        scores.scope,
        scores.unit_code,
        targets.population,
        targets.metric,
        targets.title_level,
        targets.reference_date,
        cast(coalesce(scores.numerator, 0) as bigint) as numerator,
        cast(scores.denominator as bigint) as denominator,
        cast(scores.numerator as double) / nullif(scores.denominator, 0) as actual_value,
        targets.threshold,
        targets.comparator,
        targets.description as target_description
    from scores
    inner join targets
        on scores.target_code = targets.target_code

),

final as (

    select
        target_code,
        term_code,
        scope,
        unit_code,
        population,
        metric,
        title_level,
        reference_date,
        numerator,
        denominator,
        actual_value,
        threshold,
        comparator,
        case comparator
            when '>=' then actual_value >= threshold
            when '>' then actual_value > threshold
        end as met,
        actual_value - threshold as gap,
        target_description
    from measured

)

select * from final
