with

planning_decisions as (

    select * from {{ ref('stg_submissions__planning_decisions') }}

),

positions as (

    select * from {{ ref('stg_submissions__positions') }}

),

cadres as (

    select * from {{ ref('dim_cadres') }}

),

levels as (

    select * from {{ ref('int_levels_historised') }}

),

pools as (

    select
        unit_code,
        title_code,
        term_code
    from planning_decisions
    union
    select
        unit_code,
        title_code,
        term_code
    from positions

),

-- Each approved person with their levels as of their own decision_date.
approved_people as (

    select
        planning_decisions.unit_code,
        planning_decisions.title_code,
        planning_decisions.term_code,
        planning_decisions.person_key,
        cadres.gender,
        coalesce(levels.professional_rank, 0) as professional_rank,
        coalesce(levels.political_rank, 0) as political_rank
    from planning_decisions
    left join cadres
        on planning_decisions.person_key = cadres.person_key
    left join levels
        on planning_decisions.person_key = levels.person_key
            and {{ levels_valid_on('levels', 'planning_decisions.decision_date') }}
    where planning_decisions.status = 'approved'

),

pool_counts as (

    select
        unit_code,
        title_code,
        term_code,
        count(distinct person_key) as planned_count,
        sum(case when professional_rank >= 4 then 1 else 0 end) as masters_plus_count,
        sum(case when political_rank >= 3 then 1 else 0 end) as political_advanced_count,
        count(gender) as known_gender_count,
        sum(case when gender = 'nu' then 1 else 0 end) as women_count
    from approved_people
    group by
        unit_code,
        title_code,
        term_code

),

withdrawn_counts as (

    select
        unit_code,
        title_code,
        term_code,
        count(distinct person_key) as withdrawn_count
    from planning_decisions
    where status = 'withdrawn'
    group by
        unit_code,
        title_code,
        term_code

),

final as (

    select
        pools.unit_code,
        pools.title_code,
        pools.term_code,
        positions.seats,
        cast(coalesce(pool_counts.planned_count, 0) as bigint) as planned_count,
        cast(coalesce(withdrawn_counts.withdrawn_count, 0) as bigint) as withdrawn_count,
        cast(coalesce(pool_counts.planned_count, 0) as double) / nullif(positions.seats, 0)
            as planning_coefficient,
        cast(pool_counts.masters_plus_count as double) / nullif(pool_counts.planned_count, 0)
            as share_masters_plus,
        cast(pool_counts.political_advanced_count as double) / nullif(pool_counts.planned_count, 0)
            as share_political_advanced,
        cast(pool_counts.women_count as double) / nullif(pool_counts.known_gender_count, 0) as share_women
    from pools
    left join positions
        on pools.unit_code = positions.unit_code
            and pools.title_code = positions.title_code
            and pools.term_code = positions.term_code
    left join pool_counts
        on pools.unit_code = pool_counts.unit_code
            and pools.title_code = pool_counts.title_code
            and pools.term_code = pool_counts.term_code
    left join withdrawn_counts
        on pools.unit_code = withdrawn_counts.unit_code
            and pools.title_code = withdrawn_counts.title_code
            and pools.term_code = withdrawn_counts.term_code

)

select * from final
