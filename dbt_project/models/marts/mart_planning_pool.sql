with

planning_decisions as (

    select * from {{ ref('stg_submissions__planning_decisions') }}

),

positions as (

    select * from {{ ref('stg_submissions__positions') }}

),

cadres as (

    select * from {{ ref('int_cadres_resolved') }}

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

-- Each approved person with their levels and age as of their own decision_date.
approved_people as (

    select
        planning_decisions.unit_code,
        planning_decisions.title_code,
        planning_decisions.term_code,
        planning_decisions.person_key,
        cadres.gender,
        {{ level_at_least('levels.professional_rank', 'chuyen_mon', 'thac_si') }}
            as is_masters_plus,
        {{ level_at_least('levels.political_rank', 'ly_luan_chinh_tri', 'cao_cap') }}
            as is_political_advanced,
        {{ younger_than('cadres.birth_date', 'planning_decisions.decision_date', 40) }}
            as is_under_40
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
        sum(case when is_masters_plus then 1 else 0 end) as masters_plus_count,
        sum(case when is_political_advanced then 1 else 0 end) as political_advanced_count,
        count(gender) as known_gender_count,
        sum(case when gender = 'nu' then 1 else 0 end) as women_count,
        count(is_under_40) as known_birth_date_count,
        sum(case when is_under_40 then 1 else 0 end) as under_40_count
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
        cast(pool_counts.women_count as double) / nullif(pool_counts.known_gender_count, 0)
            as share_women,
        cast(pool_counts.under_40_count as double) / nullif(pool_counts.known_birth_date_count, 0)
            as share_under_40,
        -- Quy định 377-QĐ/TW (2025): at most three people planned per leadership post.
        (
            coalesce(pool_counts.planned_count, 0)
            > {{ contract_planned_per_seat_limit() }} * positions.seats
        ) as over_planning_limit
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
